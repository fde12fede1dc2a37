"""The vSphere actions of the catalog: VM actions and the Baidu operators that run as them.

Registered from :meth:`vsphere.apps.VSphereConfig.ready`; the template language sees only
their descriptions through :mod:`orchestration.actions`.
"""
