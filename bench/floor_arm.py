"""The floor of arming: the least a start-up hook can do to get into `hermes setup`.

Copied by bench/startup.py into the site-packages of a venv made for the run
(as ``hsp_floor_arm.py``, next to a ``.pth`` whose one line is
``import sys;'setup'in sys.argv and __import__('hsp_floor_arm')``). It only
finds the seam: a meta-path finder that, once ``hermes_cli.main`` has been
executed, replaces ``select_provider_and_model`` with a trivial wrapper. No
off switch, no safe mode, no config.yaml, no error handling, no seam check.
"""

import sys

TARGET = "hermes_cli.main"


class _Finder:
    def find_spec(self, name, path=None, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_wrap(module):
            exec_module(module)
            original = module.select_provider_and_model

            def select_provider_and_model(*args, **kwargs):
                return original(*args, **kwargs)

            select_provider_and_model.__hsp_floor__ = original
            module.select_provider_and_model = select_provider_and_model

        spec.loader.exec_module = exec_and_wrap
        return spec


sys.meta_path.insert(0, _Finder())  # imported once: the second pass over the .pth finds it in sys.modules
