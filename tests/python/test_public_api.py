"""The independent client: Python grpcio from Debian, stubs from Debian's protoc, talking to the
gateway with nothing but profile.json."""
import os
import sys
import unittest

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import devstack  # noqa: E402
import moat_stubs  # noqa: E402

STACK = None


def setUpModule():
    global STACK
    moat_stubs.ensure()
    STACK = devstack.DevStack().start()


def tearDownModule():
    if STACK:
        STACK.stop()


def gateway_channel(profile):
    with open(profile["ca_file"], "rb") as f:
        ca = f.read()
    target = profile["endpoint"].removeprefix("https://")
    return grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=ca))


class HealthTest(unittest.TestCase):
    def test_gateway_reports_serving_over_tls_with_the_profile_ca(self):
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        profile = STACK.profile
        for field in ("endpoint", "ca_file", "api_key", "org", "region"):
            self.assertIn(field, profile)
        with gateway_channel(profile) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        self.assertEqual(health_pb2.HealthCheckResponse.SERVING, reply.status)

    def test_a_client_that_does_not_trust_the_deployment_ca_cannot_connect(self):
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        target = STACK.profile["endpoint"].removeprefix("https://")
        # The system trust store does not contain Moat's dev root: the handshake must fail.
        with grpc.secure_channel(target, grpc.ssl_channel_credentials()) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        self.assertEqual(grpc.StatusCode.UNAVAILABLE, caught.exception.code())


def with_key(profile):
    return [("authorization", "Bearer " + profile["api_key"])]


def status_details(error):
    """The google.rpc.Status of a failed call, from the grpc-status-details-bin trailer."""
    from google.rpc import status_pb2

    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


class PublicApiTest(unittest.TestCase):
    def test_whoami_with_the_profile_key_names_the_org_and_the_admin_role(self):
        from moat.v1 import access_pb2, access_pb2_grpc, common_pb2

        profile = STACK.profile
        self.assertTrue(profile["api_key"].startswith("moat_"))
        with gateway_channel(profile) as channel:
            me = access_pb2_grpc.AccessServiceStub(channel).WhoAmI(
                access_pb2.WhoAmIRequest(), metadata=with_key(profile), timeout=15)
        self.assertEqual(profile["org"], me.org)
        self.assertEqual(common_pb2.ROLE_ADMIN, me.role)
        self.assertEqual("loopback-dev", me.endpoint_id)

    def test_no_key_is_unauthenticated_with_a_readable_reason(self):
        from google.rpc import error_details_pb2
        from moat.v1 import access_pb2, access_pb2_grpc

        with gateway_channel(STACK.profile) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                access_pb2_grpc.AccessServiceStub(channel).WhoAmI(access_pb2.WhoAmIRequest(), timeout=15)
        self.assertEqual(grpc.StatusCode.UNAUTHENTICATED, caught.exception.code())
        status = status_details(caught.exception)
        info = error_details_pb2.ErrorInfo()
        self.assertTrue(any(d.Unpack(info) for d in status.details))
        self.assertEqual("API_KEY_MISSING", info.reason)
        self.assertEqual("moat.dev", info.domain)

    def test_a_bad_request_names_the_bad_field_in_its_error_details(self):
        from google.rpc import error_details_pb2
        from moat.v1 import access_pb2, access_pb2_grpc, common_pb2

        profile = STACK.profile
        with gateway_channel(profile) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                access_pb2_grpc.AccessServiceStub(channel).CreateApiKey(
                    access_pb2.CreateApiKeyRequest(role=common_pb2.ROLE_UNSPECIFIED, display_name="python"),
                    metadata=with_key(profile), timeout=15)
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, caught.exception.code())
        status = status_details(caught.exception)
        self.assertIsNotNone(status)
        bad = error_details_pb2.BadRequest()
        info = error_details_pb2.ErrorInfo()
        unpacked = [d for d in status.details if d.Unpack(bad)]
        self.assertTrue(unpacked)
        self.assertIn("role", [v.field for v in bad.field_violations])
        self.assertTrue(any(d.Unpack(info) for d in status.details))
        self.assertEqual("INVALID_ARGUMENT", info.reason)


class WritePathTest(unittest.TestCase):
    """Namespace creation (answered by the gateway itself) and writes, from a non-.NET client."""

    def _config(self):
        from moat.v1 import common_pb2

        config = common_pb2.NamespaceConfig(id_kind=common_pb2.ID_KIND_STRING)
        config.vectors["emb"].CopyFrom(common_pb2.VectorColumn(dimensions=3, metric=common_pb2.DISTANCE_METRIC_DOT))
        return config

    def test_create_namespace_then_write_then_replay_by_idempotency_key(self):
        from moat.v1 import common_pb2, region_pb2, region_pb2_grpc, write_pb2, write_pb2_grpc

        profile = STACK.profile
        name = "py-" + os.urandom(6).hex()
        with gateway_channel(profile) as channel:
            regions = region_pb2_grpc.RegionServiceStub(channel)
            created = regions.CreateNamespace(region_pb2.CreateNamespaceRequest(namespace=name, config=self._config()),
                                              metadata=with_key(profile), timeout=30)
            self.assertTrue(created.created)
            self.assertEqual(profile["region"], created.info.home_region)
            again = regions.CreateNamespace(region_pb2.CreateNamespaceRequest(namespace=name, config=self._config()),
                                            metadata=with_key(profile), timeout=30)
            self.assertFalse(again.created)

            doc = common_pb2.Document(id=common_pb2.DocumentId(text="doc-1"))
            doc.vectors["emb"].values.extend([0.5, 1.5, 2.5])
            doc.attributes["lang"].string_value = "en"
            request = write_pb2.WriteRequest(namespace=name, upserts=[doc], idempotency_key="py-1")
            writes = write_pb2_grpc.WriteServiceStub(channel)
            first = writes.Write(request, metadata=with_key(profile), timeout=30)
            self.assertEqual(1, first.wal_sequence)
            self.assertEqual(1, first.rows_upserted)
            self.assertFalse(first.idempotent_replay)
            replay = writes.Write(request, metadata=with_key(profile), timeout=30)
            self.assertTrue(replay.idempotent_replay)
            self.assertEqual(1, replay.wal_sequence)

    def test_a_vector_of_the_wrong_length_is_dimension_mismatch_naming_the_field(self):
        from google.rpc import error_details_pb2
        from moat.v1 import common_pb2, write_pb2, write_pb2_grpc

        profile = STACK.profile
        name = "py-" + os.urandom(6).hex()
        doc = common_pb2.Document(id=common_pb2.DocumentId(text="doc-1"))
        doc.vectors["emb"].values.extend([1.0, 2.0])
        with gateway_channel(profile) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                write_pb2_grpc.WriteServiceStub(channel).Write(
                    write_pb2.WriteRequest(namespace=name, upserts=[doc], create_config=self._config()),
                    metadata=with_key(profile), timeout=30)
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, caught.exception.code())
        status = status_details(caught.exception)
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        self.assertTrue(any(d.Unpack(info) for d in status.details))
        self.assertEqual("DIMENSION_MISMATCH", info.reason)
        self.assertTrue(any(d.Unpack(bad) for d in status.details))
        self.assertEqual(["upserts[0].vectors[emb]"], [v.field for v in bad.field_violations])


if __name__ == "__main__":
    unittest.main()
