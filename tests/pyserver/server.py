#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test service again, served by Python's grpcio: a second gRPC stack to call.

Usage: server.py PROTOSET
PROTOSET holds wirescope/testing/test.proto and google/rpc/{status,error_details}.proto with
their imports (protoc --descriptor_set_out --include_imports). Listens on a free port on
127.0.0.1, prints "listening on 127.0.0.1:PORT" and serves until SIGTERM.
"""
import signal
import sys
import threading
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "wirescope.testing.TestService"


def load_types(path):
    files = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:
        pool.Add(proto)
    factory = message_factory.MessageFactory(pool)

    def message(name):
        return factory.GetPrototype(pool.FindMessageTypeByName(name))

    return message


def main():
    message = load_types(sys.argv[1])
    EchoRequest = message("wirescope.testing.EchoRequest")
    EchoResponse = message("wirescope.testing.EchoResponse")
    StreamRequest = message("wirescope.testing.StreamRequest")
    StreamItem = message("wirescope.testing.StreamItem")
    Summary = message("wirescope.testing.Summary")
    ChatMessage = message("wirescope.testing.ChatMessage")
    FailRequest = message("wirescope.testing.FailRequest")
    Empty = message("google.protobuf.Empty")
    Status = message("google.rpc.Status")
    ErrorInfo = message("google.rpc.ErrorInfo")

    def echo(request, context):
        reply = EchoResponse()
        reply.echo.CopyFrom(request)
        for key, value in context.invocation_metadata():
            if not key.endswith("-bin"):
                reply.metadata[key] = value
        reply.peer = context.peer()
        context.send_initial_metadata((("x-stack", "python-grpcio"),))
        context.set_trailing_metadata((("x-trailer", "python"),))
        return reply

    def server_stream(request, context):
        for i in range(request.count):
            yield StreamItem(index=i, text=request.text)

    def client_stream(requests, context):
        summary = Summary()
        for item in requests:
            summary.count += 1
            summary.texts.append(item.text)
            summary.total_bytes += len(item.payload)
        return summary

    def chat(requests, context):
        for i, m in enumerate(requests):
            yield ChatMessage(text="echo: " + m.text, seq=i)

    def fail(request, context):
        code = request.code or 3
        status_code = next(c for c in grpc.StatusCode if c.value[0] == code)
        text = request.message or "request failed"
        if request.with_details:
            status = Status(code=code, message=text)
            status.details.add().Pack(ErrorInfo(reason="PYTHON_FAILURE", domain="wirescope.test"))
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
        context.abort(status_code, text)

    def handler(kind, fn, req, resp):
        make = {
            "unary": grpc.unary_unary_rpc_method_handler,
            "server": grpc.unary_stream_rpc_method_handler,
            "client": grpc.stream_unary_rpc_method_handler,
            "bidi": grpc.stream_stream_rpc_method_handler,
        }[kind]
        return make(fn, request_deserializer=req.FromString, response_serializer=resp.SerializeToString)

    methods = {
        "Echo": handler("unary", echo, EchoRequest, EchoResponse),
        "ServerStream": handler("server", server_stream, StreamRequest, StreamItem),
        "ClientStream": handler("client", client_stream, StreamItem, Summary),
        "Chat": handler("bidi", chat, ChatMessage, ChatMessage),
        "Fail": handler("unary", fail, FailRequest, Empty),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, methods),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop(0.2).wait()


if __name__ == "__main__":
    main()
