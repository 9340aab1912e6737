// SPDX-License-Identifier: GPL-3.0-or-later
// Request data from standard input (-d @), the way grpcurl takes it: the splitter that cuts the
// input into messages as it arrives, then wirescope-cli run as a real process whose standard
// input is a pipe the test writes to message by message, waiting for each reply, against the
// in-tree test server; and `bench -d @` with requests too big for an argument.
#include "requestsplitter.h"
#include "support.h"
#include "testserver.h"

#include "rpc/jsonutil.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

using namespace testsupport;
using cli::RequestSplitter;

namespace {

const std::string kCli = WIRESCOPE_CLI;
const std::string kProtoDir = WIRESCOPE_TEST_PROTO_DIR;
const std::string kProto = "wirescope/testing/test.proto";
constexpr auto kPatience = std::chrono::seconds(30); // only reached when something is broken

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

// ---- The splitter ----------------------------------------------------------------------------

struct Split
{
    std::vector<RequestSplitter::Message> messages;
    bool ok = true;
    rpc::Diagnostic error;
};

// Feeds `input` in pieces of `piece` bytes (0: all at once), then ends it.
Split split(const std::string &input, std::size_t piece,
            RequestSplitter::Format format = RequestSplitter::Format::Json)
{
    RequestSplitter splitter(format);
    Split s;
    const std::size_t step = piece ? piece : std::max<std::size_t>(input.size(), 1);
    for (std::size_t at = 0; at < input.size() && s.ok; at += step)
        s.ok = splitter.feed(std::string_view(input).substr(at, step), &s.messages);
    if (s.ok)
        s.ok = splitter.finish(&s.messages);
    s.error = splitter.error();
    return s;
}

std::vector<std::string> texts(const Split &s)
{
    std::vector<std::string> out;
    for (const auto &m : s.messages)
        out.push_back(m.text);
    return out;
}

TEST(RequestSplitter, SplitsJsonValuesTheSameWhateverThePieces)
{
    const std::string input =
        " {\"a\": \"x}\\\"{\"}\n{\"b\": [1, -2.5e+3, {\"c\": null}]}{}\n\t[true,false]\"s\" 12 -0.5e7\n"
        "{\"u\": \"\\u00e9\\n\"}";
    const std::vector<std::string> expected = {"{\"a\": \"x}\\\"{\"}",
                                               "{\"b\": [1, -2.5e+3, {\"c\": null}]}",
                                               "{}",
                                               "[true,false]",
                                               "\"s\"",
                                               "12",
                                               "-0.5e7",
                                               "{\"u\": \"\\u00e9\\n\"}"};
    // Where each message starts: line, column, offset.
    const std::vector<std::tuple<int, int, std::uint64_t>> starts = {
        {1, 2, 1}, {2, 1, 16}, {2, 33, 48}, {3, 2, 52}, {3, 14, 64}, {3, 18, 68}, {3, 21, 71}, {4, 1, 78}};
    for (std::size_t piece : {0, 1, 2, 3, 7, 64}) {
        const Split s = split(input, piece);
        ASSERT_TRUE(s.ok) << piece << ": " << s.error.toString();
        EXPECT_EQ(texts(s), expected) << "pieces of " << piece;
        ASSERT_EQ(s.messages.size(), starts.size());
        for (std::size_t i = 0; i < starts.size(); ++i) {
            EXPECT_EQ(std::make_tuple(s.messages[i].line, s.messages[i].column, s.messages[i].offset),
                      starts[i])
                << "message " << i << ", pieces of " << piece;
        }
    }
    // What rpc's own splitter makes of the same input.
    auto reference = rpc::splitJsonValues(input);
    ASSERT_TRUE(reference);
    EXPECT_EQ(*reference, expected);
}

TEST(RequestSplitter, CompletesAMessageOnItsLastByte)
{
    RequestSplitter splitter(RequestSplitter::Format::Json);
    std::vector<RequestSplitter::Message> out;
    ASSERT_TRUE(splitter.feed("{\"text\": \"a\"", &out));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(splitter.inMessage());
    ASSERT_TRUE(splitter.feed("}", &out)); // no newline, no end of input: the object is complete
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].text, "{\"text\": \"a\"}");
    EXPECT_FALSE(splitter.inMessage());
    // A top-level number needs what follows it (or the end) to be complete.
    ASSERT_TRUE(splitter.feed(" 42", &out));
    EXPECT_EQ(out.size(), 1u);
    EXPECT_TRUE(splitter.inMessage());
    ASSERT_TRUE(splitter.finish(&out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].text, "42");
}

// Malformed JSON is reported at the byte that is wrong, as soon as that byte has been read.
TEST(RequestSplitter, ReportsMalformedJsonWhereItIs)
{
    struct Case
    {
        std::string input;
        int line, column;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"{\"a\": 1}\n{\"b\": oops}", 2, 7, "expected a JSON value, found 'o'"},
        {"{\"a\" 1}", 1, 6, "expected ':' after the member name, found '1'"},
        {"{\"a\": 1,}", 1, 9, "expected a quoted member name, found '}'"},
        {"[1, 2}", 1, 6, "expected ',' or ']' in an array, found '}'"},
        {"{\"a\": [1}", 1, 9, "expected ',' or ']' in an array, found '}'"},
        {"}", 1, 1, "expected a JSON value, found '}'"},
        {"{\"a\": 01}", 1, 8, "numbers cannot have leading zeros"},
        {"{\"a\": 1.}", 1, 9, "expected a digit after the decimal point, found '}'"},
        {"{\"a\": 1e}", 1, 9, "expected a digit in the exponent, found '}'"},
        {"{\"a\": tru}", 1, 10, "expected the literal true, found '}'"},
        {"{\"a\": \"x\\q\"}", 1, 10, "after a backslash, found 'q'"},
        {"{\"a\": \"\\u12G4\"}", 1, 12, "expected four hex digits after \\u, found 'G'"},
        {"{\"a\": \"x\ny\"}", 1, 9, "a control character in a string must be escaped"},
        {"{\"a\": 1}\n\n  {\"b\": ", 3, 9, "expected a JSON value, found end of input"},
        {"{\"a\": \"open", 1, 12, "unterminated string, found end of input"},
        {std::string(600, '['), 1, 514, "JSON nested deeper than 512 levels"},
    };
    for (const auto &c : cases) {
        for (std::size_t piece : {0, 1}) {
            const Split s = split(c.input, piece);
            ASSERT_FALSE(s.ok) << c.input;
            EXPECT_EQ(s.error.line, c.line) << c.input << " in pieces of " << piece;
            EXPECT_EQ(s.error.column, c.column) << c.input << " in pieces of " << piece;
            EXPECT_TRUE(contains(s.error.message, c.message)) << c.input << ": " << s.error.message;
        }
    }
    // The error comes with the bad byte, not when the value would have been closed.
    RequestSplitter splitter(RequestSplitter::Format::Json);
    std::vector<RequestSplitter::Message> out;
    ASSERT_TRUE(splitter.feed("{\"a\": 1}\n{\"b\": ", &out));
    EXPECT_FALSE(splitter.feed("x", &out));
    EXPECT_EQ(out.size(), 1u); // the message before the error was complete
    EXPECT_EQ(splitter.error().toString(), "2:7 (offset 15): expected a JSON value, found 'x'");
    EXPECT_FALSE(splitter.feed("}", &out)) << "nothing is taken after an error";
}

TEST(RequestSplitter, SplitsTheTextFormatAtRecordSeparators)
{
    const std::string input = "text: \"a\"\x1e\n  \x1etext: \"b\"\ni32: 4\n\x1e  text: \"c\"";
    for (std::size_t piece : {0, 1, 5}) {
        const Split s = split(input, piece, RequestSplitter::Format::Text);
        ASSERT_TRUE(s.ok);
        EXPECT_EQ(texts(s),
                  (std::vector<std::string>{"text: \"a\"", "text: \"b\"\ni32: 4\n", "  text: \"c\""}))
            << piece;
        ASSERT_EQ(s.messages.size(), 3u);
        EXPECT_EQ(s.messages[1].line, 2);
        EXPECT_EQ(s.messages[1].column, 4);
        EXPECT_EQ(s.messages[2].line, 4);
        EXPECT_EQ(s.messages[2].column, 2);
    }
    EXPECT_TRUE(split(" \n\x1e\x1e\n", 0, RequestSplitter::Format::Text).messages.empty());
}

// A big message fed a byte at a time and many messages fed in small pieces: each byte is
// scanned once and appended once. Rescanning or copying the pending input per piece would
// make these quadratic (some 10^13 byte steps for the first), and they would not finish.
TEST(RequestSplitter, BigInputInSmallPiecesIsLinear)
{
    RequestSplitter splitter(RequestSplitter::Format::Json);
    std::vector<RequestSplitter::Message> out;
    const std::size_t size = 8u << 20;
    ASSERT_TRUE(splitter.feed("{\"text\": \"", &out));
    const std::string chunk(4096, 'x');
    for (std::size_t fed = 0; fed < size; fed += chunk.size())
        for (char c : chunk)
            ASSERT_TRUE(splitter.feed(std::string_view(&c, 1), &out));
    ASSERT_TRUE(splitter.feed("\"}", &out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].text.size(), size + 12);

    std::string many;
    for (int i = 0; i < 200000; ++i)
        many += "{\"text\": \"m" + std::to_string(i) + "\"}\n";
    const Split s = split(many, 4096);
    ASSERT_TRUE(s.ok);
    ASSERT_EQ(s.messages.size(), 200000u);
    EXPECT_EQ(s.messages.back().text, "{\"text\": \"m199999\"}");
    EXPECT_EQ(s.messages.back().line, 200000);
}

// ---- wirescope-cli as a process with a pipe on its standard input ----------------------------

class CliStdinTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_server = new testing_server::TestServer();
        ASSERT_TRUE(s_server->start());
    }
    static void TearDownTestSuite()
    {
        delete s_server;
        s_server = nullptr;
    }
    // wirescope-cli with the test schema from files (no reflection round trip before the call).
    static std::vector<std::string> cli(std::vector<std::string> args, const std::string &method)
    {
        std::vector<std::string> argv = {kCli, "-plaintext", "-import-path", kProtoDir, "-proto", kProto};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back(s_server->address());
        argv.push_back("wirescope.testing.TestService/" + method);
        return argv;
    }
    static testing_server::TestServer *s_server;
};

testing_server::TestServer *CliStdinTest::s_server = nullptr;

// The bidi conversation of the issue: each message goes as soon as it is written, its reply
// comes back while standard input is still open, and the next message answers that reply.
TEST_F(CliStdinTest, BidiAnswersEachReplyBeforeTheNextMessageIsWritten)
{
    Interactive p(cli({"-v", "-d", "@"}, "Chat"));
    ASSERT_TRUE(p.write("{\"text\": \"hello\"}\n"));
    ASSERT_TRUE(p.waitFor(0, "\"seq\": 1")) << p.out() << p.err();
    EXPECT_TRUE(contains(p.out(), "\"text\": \"echo: hello\"")) << p.out();
    // The script reads the reply's number and answers with it, in two writes and no newline.
    ASSERT_TRUE(p.write("{\"text\": \"seen "));
    ASSERT_TRUE(p.write("1\"}"));
    ASSERT_TRUE(p.waitFor(0, "\"text\": \"echo: seen 1\"")) << p.out() << p.err();
    ASSERT_TRUE(p.waitFor(0, "\"seq\": 2")) << p.out();
    EXPECT_FALSE(contains(p.out(), "Sent 2 requests")) << "the call is still open";
    p.closeInput();
    ASSERT_EQ(p.exitCode(), 0) << p.err();
    // The -v sections stay what they are for a call with -d '...'.
    std::size_t at = 0;
    for (const char *section :
         {"\nResolved method descriptor:\nrpc Chat ( stream .wirescope.testing.ChatMessage ) returns ( "
          "stream .wirescope.testing.ChatMessage );\n",
          "\nRequest metadata to send:\n(empty)\n", "\nResponse headers received:\n",
          "\nResponse contents:\n{\n", "\nResponse contents:\n{\n", "\nResponse trailers received:\n",
          "Sent 2 requests and received 2 responses\n"}) {
        const auto found = p.out().find(section, at);
        ASSERT_NE(found, std::string::npos) << section << " after " << at << " in\n" << p.out();
        at = found + 1;
    }
    EXPECT_TRUE(p.err().empty()) << p.err();
}

TEST_F(CliStdinTest, TextFormatMessagesEndAtTheRecordSeparator)
{
    Interactive p(cli({"-format", "text", "-d", "@"}, "Chat"));
    ASSERT_TRUE(p.write("text: \"one\"\x1e"));
    ASSERT_TRUE(p.waitFor(0, "seq: 1")) << p.out() << p.err();
    EXPECT_TRUE(contains(p.out(), "text: \"echo: one\"")) << p.out();
    ASSERT_TRUE(p.write("text: \"two\"\n"));
    p.closeInput(); // the end of the input ends the last message
    ASSERT_EQ(p.exitCode(), 0) << p.err();
    EXPECT_TRUE(contains(p.out(), "\x1etext: \"echo: two\"\nseq: 2")) << p.out();
}

// --wire prints each frame as it crosses: the first message is on the wire while standard
// input is still open and the second one not written yet.
TEST_F(CliStdinTest, ClientStreamSendsEachMessageAsItIsRead)
{
    Interactive p(cli({"--wire", "-d", "@"}, "ClientStream"));
    ASSERT_TRUE(p.write("{\"text\": \"first\"}\n"));
    ASSERT_TRUE(p.waitFor(1, "-> DATA stream=1")) << p.err();
    const auto firstData = p.err().find("-> DATA stream=1");
    EXPECT_FALSE(contains(p.err().substr(firstData, p.err().find('\n', firstData) - firstData), "END_STREAM"))
        << p.err();
    ASSERT_TRUE(p.write("{\"text\": \"second\"}"));
    p.closeInput();
    ASSERT_EQ(p.exitCode(), 0) << p.err();
    EXPECT_TRUE(contains(p.out(), "\"count\": 2")) << p.out();
    EXPECT_TRUE(contains(p.out(), "\"texts\": [\n    \"first\",\n    \"second\"\n  ]")) << p.out();
}

TEST_F(CliStdinTest, AnEmptyClientStreamHalfClosesAtTheEndOfInput)
{
    auto r = run(cli({"-d", "@"}, "ClientStream"), "  \n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "{}")) << r.out; // a summary of nothing: every field at its default
}

// A server-streaming call starts once its one message is complete; it does not wait for the
// end of the input, and the program ends with the call while standard input stays open.
TEST_F(CliStdinTest, ServerStreamStartsOnItsOneMessage)
{
    Interactive p(cli({"-d", "@"}, "ServerStream"));
    ASSERT_TRUE(p.write("{\"count\": 3, \"text\": \"s\"}"));
    EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 0) << p.out() << p.err();
    auto replies = rpc::splitJsonValues(p.out());
    ASSERT_TRUE(replies) << p.out();
    EXPECT_EQ(replies->size(), 3u) << p.out();

    Interactive unary(cli({"-d", "@"}, "Echo"));
    ASSERT_TRUE(unary.write("{\"text\": \"once\"}\n"));
    EXPECT_EQ(unary.waitFor(std::chrono::seconds(kPatience)), 0) << unary.err();
    EXPECT_TRUE(contains(unary.out(), "\"text\": \"once\"")) << unary.out();

    // No message at all: the end of the input sends the empty one, as -d '' does.
    auto empty = run(cli({"-d", "@"}, "Echo"), "");
    EXPECT_EQ(empty.exitCode, 0) << empty.err;
    EXPECT_TRUE(contains(empty.out, "\"echo\": {}")) << empty.out;
}

TEST_F(CliStdinTest, ASecondMessageForAUnaryCallIsAnErrorWhereItStarts)
{
    auto r = run(cli({"-d", "@"}, "Echo"), "{\"text\": \"a\"}\n  {\"text\": \"b\"}");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.err, "Failed to parse request data (-d): 2:3 (offset 16): a unary call takes one "
                                "request message, and a second one starts here"))
        << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out; // nothing was called

    // Once the call runs, a second message cancels it (the server stream here never ends by itself).
    Interactive p(cli({"-timeline", "-d", "@"}, "ServerStream"));
    ASSERT_TRUE(p.write("{\"count\": 1000000, \"interval_ms\": 50}\n"));
    ASSERT_TRUE(p.waitFor(0, "\"index\": 1")) << p.out() << p.err();
    ASSERT_TRUE(p.write("{}"));
    EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 1) << p.err();
    EXPECT_TRUE(
        contains(p.err(), "a server streaming call takes one request message, and a second one starts here"))
        << p.err();
    EXPECT_TRUE(contains(p.out(), "<- trailers   CANCELLED")) << p.out();
}

// Malformed JSON after a message that was answered: the error names its place in the whole
// input, the call is cancelled, and the program ends though standard input is still open.
TEST_F(CliStdinTest, MalformedJsonMidStreamCancelsTheCall)
{
    Interactive p(cli({"-timeline", "-d", "@"}, "Chat"));
    ASSERT_TRUE(p.write("{\"text\": \"fine\"}\n"));
    ASSERT_TRUE(p.waitFor(0, "\"seq\": 1")) << p.out() << p.err();
    ASSERT_TRUE(p.write("{\"text\": \"also fine\"}\n{\"text\": tru"));
    ASSERT_TRUE(p.waitFor(0, "\"seq\": 2")) << p.out() << p.err();
    ASSERT_TRUE(p.write("th}\n"));
    EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 1) << p.out() << p.err();
    EXPECT_TRUE(contains(p.err(), "Failed to parse request data (-d): 3:13 (offset 51): expected the literal "
                                  "true, found 't'"))
        << p.err();
    EXPECT_TRUE(contains(p.out(), "<- trailers   CANCELLED")) << p.out();
}

// A message that is valid JSON but not a valid request stops the stream there, naming it.
TEST_F(CliStdinTest, AMessageTheSchemaRefusesNamesItsPlace)
{
    Interactive p(cli({"-d", "@"}, "Chat"));
    ASSERT_TRUE(p.write("{\"text\": \"fine\"}\n"));
    ASSERT_TRUE(p.waitFor(0, "\"seq\": 1")) << p.out() << p.err();
    ASSERT_TRUE(p.write("\n  {\"text\": \"x\", \"nope\": 1}\n"));
    EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 1) << p.out() << p.err();
    EXPECT_TRUE(contains(p.err(), "Failed to encode request message 2, which starts at 3:3: ")) << p.err();
    EXPECT_TRUE(contains(p.err(), "unknown field \"nope\"")) << p.err();
    EXPECT_FALSE(contains(p.out(), "\"seq\": 2")) << p.out();
}

// -max-time bounds the whole call whatever standard input does: with the input still open
// (nothing written, or a stream with one message answered), the program ends with grpcurl's
// DeadlineExceeded error and its exit code, 64 + 4.
TEST_F(CliStdinTest, MaxTimeEndsTheCallWhileStdinStaysOpen)
{
    for (const char *method : {"Echo", "ServerStream", "ClientStream", "Chat"}) {
        Interactive p(cli({"-max-time", "0.5", "-d", "@"}, method));
        EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 64 + 4) << method << "\n" << p.err();
        EXPECT_EQ(p.err(), "ERROR:\n  Code: DeadlineExceeded\n  Message: Deadline Exceeded\n") << method;
    }
    Interactive chat(cli({"-max-time", "1", "-format-error", "-d", "@"}, "Chat"));
    ASSERT_TRUE(chat.write("{\"text\": \"hi\"}\n"));
    ASSERT_TRUE(chat.waitFor(0, "\"seq\": 1")) << chat.out() << chat.err();
    EXPECT_EQ(chat.waitFor(std::chrono::seconds(kPatience)), 64 + 4) << chat.err();
    EXPECT_TRUE(contains(chat.err(), "\"code\": 4")) << chat.err();
}

// A closed standard input is an error to read, as in grpcurl, and not whatever the program
// opens next as descriptor 0 (libgrpc opens an eventfd as it is loaded, which never ends).
TEST_F(CliStdinTest, AClosedStdinIsAReadError)
{
    for (const char *method : {"Chat", "Echo"}) {
        Interactive p(cli({"-d", "@"}, method), true);
        EXPECT_EQ(p.waitFor(std::chrono::seconds(kPatience)), 1) << method << "\n" << p.err();
        EXPECT_EQ(p.err(), "Failed to read request data from standard input: Bad file descriptor\n")
            << method;
    }
    Interactive bench({kCli, "bench", "-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-n", "1",
                       "-d", "@", s_server->address(), "wirescope.testing.TestService/Echo"},
                      true);
    EXPECT_EQ(bench.waitFor(std::chrono::seconds(kPatience)), 1) << bench.err();
    EXPECT_EQ(bench.err(), "Failed to read request data from standard input: Bad file descriptor\n");
}

// A long client stream and a message of many MB through standard input.
TEST_F(CliStdinTest, BigRequestsThroughStdin)
{
    std::string many;
    for (int i = 0; i < 200000; ++i)
        many += "{\"text\": \"" + std::to_string(i) + "\"}\n";
    auto bench =
        run({kCli, "bench", "-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-n", "1", "-c", "1",
             "-format", "json", "-d", "@", s_server->address(), "wirescope.testing.TestService/ClientStream"},
            many, std::chrono::seconds(240));
    ASSERT_EQ(bench.exitCode, 0) << bench.err;
    EXPECT_TRUE(contains(bench.out, "\"messages_sent\":200000")) << bench.out;
    EXPECT_TRUE(contains(bench.out, "\"status\":{\"OK\":1}")) << bench.out;

    const std::string big = "{\"text\": \"" + std::string(12u << 20, 'w') + "\"}";
    auto bigBench = run({kCli, "bench", "-plaintext", "-import-path", kProtoDir, "-proto", kProto, "-n", "2",
                         "-c", "1", "-max-msg-sz", "67108864", "-format", "json", "-d", "@",
                         s_server->address(), "wirescope.testing.TestService/Echo"},
                        big, std::chrono::seconds(240));
    ASSERT_EQ(bigBench.exitCode, 0) << bigBench.err;
    EXPECT_TRUE(contains(bigBench.out, "\"status\":{\"OK\":2}")) << bigBench.out;

    auto call = run(cli({"-max-msg-sz", "67108864", "-d", "@"}, "Echo"), big, std::chrono::seconds(240));
    ASSERT_EQ(call.exitCode, 0) << call.err;
    EXPECT_TRUE(contains(call.out, "\"text\": \"wwwww")) << call.out.substr(0, 200);
    EXPECT_GT(call.out.size(), 12u << 20);
}

TEST_F(CliStdinTest, BenchTakesSeveralMessagesFromStdin)
{
    auto bench = [](const std::vector<std::string> &extra, const std::string &method,
                    const std::string &input) {
        std::vector<std::string> argv = {kCli,   "bench", "-plaintext", "-import-path", kProtoDir, "-proto",
                                         kProto, "-n",    "3",          "-c",           "1",       "-format",
                                         "json", "-d",    "@"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(s_server->address());
        argv.push_back("wirescope.testing.TestService/" + method);
        return run(argv, input);
    };
    // Each call of a stream sends the messages given; -stream-messages takes them in turn.
    auto given = bench({}, "ClientStream", "{\"text\": \"a\"} {\"text\": \"b\"}\n");
    ASSERT_EQ(given.exitCode, 0) << given.err;
    EXPECT_TRUE(contains(given.out, "\"messages_sent\":6")) << given.out;
    auto repeated = bench({"-stream-messages", "5"}, "ClientStream", "{\"text\": \"a\"} {\"text\": \"b\"}\n");
    ASSERT_EQ(repeated.exitCode, 0) << repeated.err;
    EXPECT_TRUE(contains(repeated.out, "\"messages_sent\":15")) << repeated.out;

    auto malformed = bench({}, "Echo", "{\"text\": \"a\"}\n{\"text\": ]");
    EXPECT_EQ(malformed.exitCode, 1);
    EXPECT_TRUE(contains(malformed.err,
                         "Failed to parse request data (-d): 2:10 (offset 23): expected a JSON value, "
                         "found ']'"))
        << malformed.err;
    auto twoForUnary = bench({}, "Echo", "{} {}");
    EXPECT_EQ(twoForUnary.exitCode, 1);
    EXPECT_TRUE(contains(twoForUnary.err, "a unary call takes one request message, 2 were given"))
        << twoForUnary.err;
    auto none = bench({}, "Echo", "\n");
    EXPECT_EQ(none.exitCode, 1);
    EXPECT_TRUE(contains(none.err, "no request message given")) << none.err;
}

} // namespace
