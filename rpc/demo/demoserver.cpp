// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/demo/demoserver.h"

#include "wirescope/demo/v1/weather.grpc.pb.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

namespace rpc {

namespace demo = wirescope::demo::v1;
using google::protobuf::util::TimeUtil;

namespace {

// libgrpc++_reflection, as a shared library, registers its plugin when loaded; calling
// InitProtoReflectionServerBuilderPlugin() as well would list every service twice. This option
// leaves exactly one.
class OneReflectionPlugin : public grpc::ServerBuilderOption
{
public:
    void UpdateArguments(grpc::ChannelArguments *) override {}
    void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>> *plugins) override
    {
        std::erase_if(*plugins, [](const auto &p) { return p->name() == "proto_server_reflection"; });
        plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }
};

struct City
{
    const char *name;
    double meanHigh; // °C
    int wetness;     // 0..100
};

constexpr City kCities[] = {
    {"Berlin", 14.0, 45}, {"Lisbon", 22.0, 25},  {"Oslo", 8.0, 55},
    {"Tokyo", 19.0, 50},  {"Nairobi", 25.0, 35}, {"Lima", 21.0, 10},
};

const City *findCity(const std::string &name)
{
    for (const auto &c : kCities) {
        if (std::equal(name.begin(), name.end(), c.name, c.name + std::strlen(c.name),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            return &c;
    }
    return nullptr;
}

double toUnit(double celsius, demo::Unit unit)
{
    return unit == demo::FAHRENHEIT ? std::round((celsius * 9 / 5 + 32) * 10) / 10 : celsius;
}

class WeatherService final : public demo::WeatherService::Service
{
    grpc::Status GetForecast(grpc::ServerContext *, const demo::GetForecastRequest *req,
                             demo::Forecast *resp) override
    {
        const City *city = findCity(req->city());
        if (!city) {
            std::string known;
            for (const auto &c : kCities)
                known += (known.empty() ? "" : ", ") + std::string(c.name);
            return {grpc::StatusCode::NOT_FOUND,
                    "no forecast for city \"" + req->city() + "\"; try one of " + known};
        }
        const int days = req->days() == 0 ? 3 : req->days();
        if (days < 1 || days > 14)
            return {grpc::StatusCode::INVALID_ARGUMENT,
                    "days must be between 1 and 14, got " + std::to_string(req->days())};
        const auto unit = req->unit() == demo::UNIT_UNSPECIFIED ? demo::CELSIUS : req->unit();
        resp->set_city(city->name);
        resp->set_unit(unit);
        const auto now = TimeUtil::GetCurrentTime();
        *resp->mutable_issued_at() = now;
        const std::int64_t today = now.seconds() - now.seconds() % 86400;
        for (int d = 0; d < days; ++d) {
            auto *day = resp->add_days();
            day->mutable_date()->set_seconds(today + std::int64_t{86400} * d);
            // Deterministic weather: a gentle wave around the city's mean.
            const double high = city->meanHigh + 3.0 * std::sin(d * 0.9);
            day->set_high(toUnit(std::round(high * 10) / 10, unit));
            day->set_low(toUnit(std::round((high - 7.5) * 10) / 10, unit));
            const int rain = (city->wetness + 17 * d) % 100;
            day->set_precipitation_percent(rain);
            day->set_condition(rain > 80   ? demo::STORM
                               : rain > 60 ? (high < 2 ? demo::SNOW : demo::RAIN)
                               : rain > 35 ? demo::CLOUDY
                                           : demo::SUNNY);
        }
        (*resp->mutable_sources())["model"] = "wirescope-demo";
        (*resp->mutable_sources())["station"] = std::string(city->name) + "-central";
        return grpc::Status::OK;
    }

    grpc::Status WatchReadings(grpc::ServerContext *ctx, const demo::WatchReadingsRequest *req,
                               grpc::ServerWriter<demo::Reading> *writer) override
    {
        const int count = req->count() == 0 ? 10 : req->count();
        if (count < 0)
            return {grpc::StatusCode::INVALID_ARGUMENT, "count must not be negative"};
        // Unset or zero (what an example request fills in) means the default, as count's 0 does.
        auto interval = std::chrono::milliseconds(1000);
        if (req->has_interval() && TimeUtil::DurationToMilliseconds(req->interval()) != 0)
            interval = std::chrono::milliseconds(TimeUtil::DurationToMilliseconds(req->interval()));
        if (interval < std::chrono::milliseconds(10) || interval > std::chrono::seconds(10))
            return {grpc::StatusCode::INVALID_ARGUMENT, "interval must be between 10ms and 10s"};
        const std::string station = req->station_id().empty() ? "demo-1" : req->station_id();
        auto next = std::chrono::steady_clock::now();
        for (int i = 0; i < count; ++i) {
            // Sleep in short steps so a cancelled call ends promptly.
            next += interval;
            while (std::chrono::steady_clock::now() < next) {
                if (ctx->IsCancelled())
                    return grpc::Status::CANCELLED;
                std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                    next - std::chrono::steady_clock::now(), std::chrono::milliseconds(20)));
            }
            demo::Reading r;
            r.set_station_id(station);
            *r.mutable_time() = TimeUtil::GetCurrentTime();
            r.set_temperature_celsius(std::round((12.0 + 4.0 * std::sin(i * 0.5)) * 10) / 10);
            r.set_humidity_percent(60 + (i * 7) % 30);
            if (i % 3 == 2)
                r.set_note("gusty");
            else
                r.set_wind_kmh(5 + i % 11);
            if (!writer->Write(r))
                return grpc::Status::CANCELLED;
        }
        return grpc::Status::OK;
    }

    grpc::Status UploadReadings(grpc::ServerContext *, grpc::ServerReader<demo::Reading> *reader,
                                demo::UploadSummary *resp) override
    {
        demo::Reading r;
        double sum = 0;
        std::set<std::string> stations;
        while (reader->Read(&r)) {
            const double t = r.temperature_celsius();
            if (resp->readings() == 0 || t < resp->min_celsius())
                resp->set_min_celsius(t);
            if (resp->readings() == 0 || t > resp->max_celsius())
                resp->set_max_celsius(t);
            resp->set_readings(resp->readings() + 1);
            sum += t;
            if (!r.station_id().empty())
                stations.insert(r.station_id());
        }
        if (resp->readings() > 0)
            resp->set_mean_celsius(std::round(sum / resp->readings() * 100) / 100);
        for (const auto &s : stations)
            resp->add_stations(s);
        return grpc::Status::OK;
    }

    grpc::Status AskForecaster(grpc::ServerContext *,
                               grpc::ServerReaderWriter<demo::Answer, demo::Question> *stream) override
    {
        demo::Question q;
        int n = 0;
        while (stream->Read(&q)) {
            demo::Answer a;
            a.set_sequence(++n);
            std::string text = q.text();
            std::transform(text.begin(), text.end(), text.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            const City *mentioned = nullptr;
            for (const auto &c : kCities) {
                std::string lower = c.name;
                std::transform(lower.begin(), lower.end(), lower.begin(),
                               [](unsigned char ch) { return std::tolower(ch); });
                if (text.find(lower) != std::string::npos)
                    mentioned = &c;
            }
            if (q.text().empty())
                a.set_text("Ask me about the weather in a city.");
            else if (mentioned)
                a.set_text(std::string("In ") + mentioned->name + " expect highs around " +
                           std::to_string(static_cast<int>(mentioned->meanHigh)) + " °C" +
                           (mentioned->wetness > 40 ? ", take an umbrella." : ", mostly dry."));
            else
                a.set_text("I only know Berlin, Lisbon, Oslo, Tokyo, Nairobi and Lima. You asked: " +
                           q.text());
            if (!stream->Write(a))
                break;
        }
        return grpc::Status::OK;
    }
};

} // namespace

struct DemoServer::Impl
{
    WeatherService service;
    std::unique_ptr<grpc::Server> server;
    std::string address;
    mutable std::mutex mutex;
};

DemoServer::DemoServer()
    : m_impl(std::make_unique<Impl>())
{}

DemoServer::~DemoServer()
{
    stop();
}

Result<std::string> DemoServer::start(const std::string &address)
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->server)
        return m_impl->address;
    grpc::ServerBuilder builder;
    builder.SetOption(std::make_unique<OneReflectionPlugin>());
    // gRPC's synchronous server runs each call on a thread of its own, started on demand: without
    // a bound, a load run of 100 000 calls at once started threads until the machine had no
    // process ids left. Beyond the bound, calls are refused with RESOURCE_EXHAUSTED.
    grpc::ResourceQuota quota("wirescope-demo");
    quota.SetMaxThreads(kMaxThreads);
    builder.SetResourceQuota(quota);
    int port = 0;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&m_impl->service);
    auto server = builder.BuildAndStart();
    if (!server || port == 0)
        return Error("the demo service could not listen on " + address);
    m_impl->server = std::move(server);
    const auto colon = address.rfind(':');
    m_impl->address = address.substr(0, colon) + ':' + std::to_string(port);
    return m_impl->address;
}

void DemoServer::stop()
{
    std::unique_ptr<grpc::Server> server;
    {
        std::lock_guard lock(m_impl->mutex);
        server = std::move(m_impl->server);
        m_impl->address.clear();
    }
    if (server)
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
}

bool DemoServer::running() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->server != nullptr;
}

std::string DemoServer::address() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->address;
}

const char *DemoServer::serviceName()
{
    return "wirescope.demo.v1.WeatherService";
}

const char *DemoServer::exampleMethod()
{
    return "wirescope.demo.v1.WeatherService/GetForecast";
}

const char *DemoServer::exampleRequest()
{
    return "{\n  \"city\": \"Lisbon\",\n  \"days\": 3,\n  \"unit\": \"CELSIUS\"\n}\n";
}

} // namespace rpc
