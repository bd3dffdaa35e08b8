"""Where the data files in resources/ live, in a source checkout and in a bundled build.

The rule is shared with the ICB service (icb_service/resources.py), which must not import the
desktop app; the desktop already imports the service's protocol, so it takes the rule from there.
"""

from icb_service.resources import resource, resources_dir

__all__ = ["resource", "resources_dir"]
