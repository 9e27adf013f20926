"""Hatch build hook: put the startup hook's .pth file at the root of site-packages.

A `.pth` file only runs when it sits directly in a site directory, so it cannot
live inside the package. Hatch's `force-include` handles regular wheels; editable
installs need `force_include_editable`, which only a build hook can set.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PTH_SOURCE = "hooks/hermes_setup_pools_autohook.pth"
PTH_TARGET = "hermes_setup_pools_autohook.pth"


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if version == "editable":
            build_data["force_include_editable"][PTH_SOURCE] = PTH_TARGET
        else:
            build_data["force_include"][PTH_SOURCE] = PTH_TARGET
