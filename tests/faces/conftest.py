"""Live-server fixtures for the cloud faces: a tenant, signing keys, and the official SDK clients."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from aliyunsdkcore.client import AcsClient
from django.contrib.auth import get_user_model

from orchestration.models import Membership, Role, Tenant
from orchestration.services.tenancy import issue_access_key


@dataclass
class Signer:
    tenant: Tenant
    user: object
    key_id: str
    secret: str


def make_signer(tenant: Tenant, username: str, role: str) -> Signer:
    user = get_user_model().objects.create_user(username=username, password="pw")
    Membership.objects.create(user=user, tenant=tenant, role=role)
    issued = issue_access_key(tenant, user)
    return Signer(tenant=tenant, user=user, key_id=issued.key.pk, secret=issued.secret)


@pytest.fixture
def tenant(transactional_db) -> Tenant:
    return Tenant.objects.create(name="Acme")


@pytest.fixture
def operator(tenant) -> Signer:
    return make_signer(tenant, "oscar", Role.OPERATOR)


@pytest.fixture
def viewer(tenant) -> Signer:
    return make_signer(tenant, "victor", Role.VIEWER)


@pytest.fixture
def outsider(transactional_db) -> Signer:
    return make_signer(Tenant.objects.create(name="Globex"), "gina", Role.ADMIN)


@pytest.fixture
def server(live_server) -> tuple[str, int]:
    url = urlparse(live_server.url)
    return url.hostname, url.port


class Acs:
    """``aliyun-python-sdk-core`` pointed at the live server (signature v1)."""

    def __init__(self, server: tuple[str, int], signer: Signer | tuple[str, str]):
        key_id, secret = (signer.key_id, signer.secret) if isinstance(signer, Signer) else signer
        self.host, port = server
        self.client = AcsClient(key_id, secret, "cn-test", port=port, auto_retry=False)

    def __call__(self, request) -> dict:
        request.set_endpoint(self.host)
        request.set_protocol_type("http")
        return json.loads(self.client.do_action_with_exception(request))

    def raw(self, request, accept_format: str = "JSON") -> tuple[int, bytes]:
        request.set_endpoint(self.host)
        request.set_protocol_type("http")
        request.set_accept_format(accept_format)
        status, _headers, body = self.client.get_response(request)
        return status, body


class Tea:
    """``alibabacloud-oos20190601`` pointed at the live server (ACS3-HMAC-SHA256)."""

    def __new__(cls, server: tuple[str, int], signer: Signer):
        from alibabacloud_oos20190601.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        host, port = server
        config = Config(
            access_key_id=signer.key_id,
            access_key_secret=signer.secret,
            endpoint=f"{host}:{port}",
            protocol="http",
            region_id="cn-test",
        )
        return Client(config)


@pytest.fixture
def acs(server, operator) -> Acs:
    return Acs(server, operator)


@pytest.fixture
def tea(server, operator):
    return Tea(server, operator)


@pytest.fixture(autouse=True)
def _no_persistent_connections():
    """Live-server threads must not keep connections open, or the test database cannot be dropped."""
    from django.db import connections

    saved = connections.settings["default"].get("CONN_MAX_AGE")
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved
