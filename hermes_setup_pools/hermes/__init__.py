"""The Hermes side: the wrapper inside Hermes' setup wizard, the start-up
hook that installs it for the literal ``hermes setup``, and the Hermes plugin.

``wizard_wrapper`` the wrapper around Hermes' provider/model picker
``controls``       the wizard's keys and signals around our steps: Esc, ←, Ctrl-C, SIGTERM/SIGHUP
``anchor``         a round_robin pool put back into the order the step showed when the wizard ends
``compat``         what Hermes 0.13–0.15 need: their own pool step kept out, the wizard's config kept in step
``outcome``        the one-line summary the user sees before the wizard moves on
``features``       what the installed Hermes can do (numbered keys, secret sources), found by feature
``autohook``       the start-up hook (armed by ``hermes_setup_pools_autohook.pth``)
``settings``       what Hermes' config says about us: enabled, safe mode, its home
``switch``         ``enable``/``disable``: setup-pools in config.yaml's ``plugins.enabled``, on any release
``plugin``         the Hermes plugin (``hermes setup-pools``)

Only the standard library is imported here: the start-up hook imports this
package in every Python process whose command line contains ``setup``.
"""
