// SPDX-License-Identifier: GPL-3.0-or-later

// wirescope-goserver: two methods of the test service (tests/proto/wirescope/testing/test.proto)
// served by grpc-go, a gRPC stack not written here, for the call benchmark and the tests that
// check Wirescope against it. Built offline from Debian's Go packages by build.sh.
//
// Echo answers with the request as `echo` and nothing else, so a small request makes a small
// reply. ServerStream sends `count` StreamItems carrying `text` and `payload_size` bytes of 'x',
// one every `interval_ms` when that is set. Both echo request headers whose name starts with
// "x-" as response headers and end with the trailer "x-trailer: go", as the in-tree server does
// with "done". Every other method answers UNIMPLEMENTED. Reflection (v1alpha) is on.
//
// Prints "listening on HOST:PORT" once it accepts calls; stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"

	pb "wirescope-goserver/testpb"
)

type testService struct {
	pb.UnimplementedTestServiceServer
}

// echoHeaders sends the call's "x-" request headers back as response headers and sets the
// trailer.
func echoHeaders(ctx context.Context, setHeader func(metadata.MD) error, setTrailer func(metadata.MD)) error {
	echoed := metadata.MD{}
	if in, ok := metadata.FromIncomingContext(ctx); ok {
		for key, values := range in {
			if strings.HasPrefix(key, "x-") {
				echoed[key] = values
			}
		}
	}
	if len(echoed) > 0 {
		if err := setHeader(echoed); err != nil {
			return err
		}
	}
	setTrailer(metadata.Pairs("x-trailer", "go"))
	return nil
}

func (testService) Echo(ctx context.Context, req *pb.EchoRequest) (*pb.EchoResponse, error) {
	err := echoHeaders(ctx,
		func(md metadata.MD) error { return grpc.SetHeader(ctx, md) },
		func(md metadata.MD) { grpc.SetTrailer(ctx, md) })
	if err != nil {
		return nil, err
	}
	return &pb.EchoResponse{Echo: req}, nil
}

func (testService) ServerStream(req *pb.StreamRequest, stream pb.TestService_ServerStreamServer) error {
	if err := echoHeaders(stream.Context(), stream.SetHeader, stream.SetTrailer); err != nil {
		return err
	}
	item := &pb.StreamItem{Text: req.GetText()}
	if size := req.GetPayloadSize(); size > 0 {
		item.Payload = []byte(strings.Repeat("x", int(size)))
	}
	interval := time.Duration(req.GetIntervalMs()) * time.Millisecond
	for i := int32(0); i < req.GetCount(); i++ {
		if interval > 0 {
			time.Sleep(interval)
		}
		item.Index = i
		if err := stream.Send(item); err != nil {
			return err // the call was cancelled or the connection is gone
		}
	}
	return nil
}

func main() {
	address := flag.String("address", "127.0.0.1:0", "the TCP address to listen on")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: wirescope-goserver [--address HOST:PORT]")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", *address)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wirescope-goserver: cannot listen on %s: %v\n", *address, err)
		os.Exit(1)
	}
	server := grpc.NewServer()
	pb.RegisterTestServiceServer(server, testService{})
	reflection.Register(server)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		server.Stop()
	}()

	fmt.Printf("listening on %s\n", listener.Addr().String())
	if err := server.Serve(listener); err != nil && err != grpc.ErrServerStopped {
		fmt.Fprintf(os.Stderr, "wirescope-goserver: %v\n", err)
		os.Exit(1)
	}
}
