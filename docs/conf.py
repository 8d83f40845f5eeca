"""Sphinx configuration: MyST Markdown pages, autodoc reference, the furo theme.

Build with ``nox -s docs``, which runs
``sphinx-build -W --keep-going -n -b html docs docs/_build/html``: every warning,
broken cross-reference included, fails the build. The build is offline
(no intersphinx), so references to the standard library and botocore are listed in
``nitpick_ignore`` below instead of being linked.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Import the package from this checkout even when it is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ssm_engagements import __version__

project = "ssm-engagements"
author = "ssm-engagements developers"
copyright = "ssm-engagements developers"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# -- MyST -----------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- autodoc; napoleon reads the Google-style "Args:" / "Raises:" sections ------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_class_signature = "mixed"
autoclass_content = "both"  # the class docstring, then the constructor's
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "undoc-members": False}
python_use_unqualified_type_names = True
add_module_names = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

nitpicky = True
nitpick_ignore_regex = [
    # The standard library and botocore: no intersphinx inventory offline.
    ("py:class", r"(datetime|collections\.abc|typing|types|os|pathlib)\..*"),
    ("py:class", r"botocore\..*"),
    # opentelemetry-api: an optional extra, no inventory offline either.
    ("py:class", r"(opentelemetry\..*|TracerProvider)"),
    (
        "py:class",
        r"(Any|Credentials|ReadOnlyCredentials|Session|Mapping|Iterator|Iterable)",
    ),
    # The clients' iterator types, as the generic base annotates them; the reference
    # gives each client's iterator methods their concrete return type.
    ("py:class", r"ssm_engagements\._client\.(PagesT|ItemsT)"),
    # Built-in exceptions named in "Raises:" sections.
    ("py:exc", r"(ValueError|TypeError|RuntimeError|OSError|AssertionError)"),
    (
        "py:class",
        r"(ValueError|TypeError|RuntimeError|OSError|AssertionError|Exception)",
    ),
]

# -- HTML -----------------------------------------------------------------------------
html_theme = "furo"
html_title = f"ssm-engagements {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
