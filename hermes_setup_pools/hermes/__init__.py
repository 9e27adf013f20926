"""The Hermes side: the wrapper inside Hermes' setup wizard, the start-up
hook that installs it for the literal ``hermes setup``, and the Hermes plugin.

``wizard_wrapper`` the wrapper around Hermes' provider/model picker
``autohook``       the start-up hook (armed by ``hermes_setup_pools_autohook.pth``)
``settings``       what Hermes' config says about us: enabled, safe mode, its home
``plugin``         the Hermes plugin (``hermes setup-pools``)

Only the standard library is imported here: the start-up hook imports this
package in every Python process whose command line contains ``setup``.
"""
