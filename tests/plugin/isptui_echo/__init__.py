"""Echo: a sixth backend published through the ``isptui.backends`` entry point, for the plug-in test."""

from __future__ import annotations

from isptui.backends.registry import BackendDescriptor, CredentialField

DESCRIPTOR = BackendDescriptor(
    name="echo",
    title="Echo Billing",
    description="test plug-in · one collection of parrots",
    adapter="isptui_echo.adapter:EchoBackend",
    url_env="ECHO_URL",
    credentials=(CredentialField("echo_key", env="ECHO_KEY", secret=True, help="Echo API key"),),
    read_only_auth_calls=(("POST", "/echo/login"),),
    filter_help="field=value matched exactly (login=parrot7); a plain word is a name",
    extra={"contract": "isptui_echo.contract:CONTRACT"},
)
