"""``python -m ssm_engagements``: the ssm-engagements command line."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
