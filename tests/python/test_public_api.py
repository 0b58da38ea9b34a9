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


if __name__ == "__main__":
    unittest.main()
