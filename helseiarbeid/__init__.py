"""HelseIArbeid coordination service."""

import os

# Piccolo finds its engine and apps through this module; set before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "helseiarbeid.piccolo_conf")
