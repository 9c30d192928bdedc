using System.Net;
using System.Net.Sockets;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// OTLP export configured the OpenTelemetry way: a `coordinator daemon` process with only the standard
/// OTEL_EXPORTER_OTLP_* variables pushes metrics over OTLP/HTTP to a collector endpoint on loopback (here a listener
/// that records what arrives), with the protocol the variables name, not one guessed from the port.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class OtlpExportTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task The_standard_OTEL_variables_alone_turn_on_OTLP_over_HTTP_with_their_protocol_and_interval()
    {
        var port = FreePort(); // not 4318: nothing may depend on the port any more
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        using var daemon = Start(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-site=hpc1",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        var request = await ReceiveAsync(collector, daemon);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/metrics", request.Path);
        Assert.Equal("application/x-protobuf", request.ContentType);
        Assert.Equal("hpc1", request.Site);
        Assert.True(request.Bytes > 100, $"only {request.Bytes} bytes of metrics");
    }

    [Fact]
    public async Task The_daemons_own_endpoint_and_protocol_settings_win_and_a_bad_protocol_is_refused_at_start()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        using var daemon = Start(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", // discard: must not be used
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        }, $"--Daemon:Telemetry:OtlpEndpoint=http://127.0.0.1:{port}/custom/metrics", "--Daemon:Telemetry:OtlpProtocol=http/protobuf",
            "--Daemon:Telemetry:OtlpExportInterval=00:00:00.5");
        var request = await ReceiveAsync(collector, daemon);
        Assert.Equal("/custom/metrics", request.Path);
        Assert.Equal("application/x-protobuf", request.ContentType);

        using var refused = Start([], "--Daemon:Telemetry:OtlpProtocol=thrift");
        for (var waited = 0; waited < 300 && !refused.HasExited; waited++)
        {
            await Task.Delay(100);
        }
        Assert.True(refused.HasExited, "the daemon started with OtlpProtocol=thrift:\n" + refused.Output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Daemon:Telemetry:OtlpProtocol: must be \"grpc\" or \"http/protobuf\"; got \"thrift\"", refused.Output, StringComparison.Ordinal);
    }

    private DaemonHandle Start(Dictionary<string, string?> environment, params string[] settings) =>
        DaemonHandle.Start("otlp-daemon", CoordinatorCli.ExecutablePath,
            ["daemon", .. _cli.Settings, "--Daemon:Telemetry:PrometheusEndpoint=", .. settings],
            new Dictionary<string, string?>(environment)
            {
                ["AWS_ENDPOINT_URL"] = fixture.EndpointUrl,
                ["AWS_ACCESS_KEY_ID"] = "test",
                ["AWS_SECRET_ACCESS_KEY"] = "test",
                ["AWS_DEFAULT_REGION"] = "us-east-1",
            });

    private sealed record Received(string Method, string Path, string? ContentType, string? Site, long Bytes);

    private static async Task<Received> ReceiveAsync(HttpListener collector, DaemonHandle daemon)
    {
        var context = collector.GetContextAsync();
        var done = await Task.WhenAny(context, Task.Delay(TimeSpan.FromSeconds(40)));
        Assert.True(done == context, "no OTLP export arrived within 40 s; daemon output:\n" + daemon.Output);
        var request = (await context).Request;
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var received = new Received(request.HttpMethod, request.Url!.AbsolutePath, request.ContentType, request.Headers["x-site"], body.Length);
        var response = (await context).Response;
        response.StatusCode = 200;
        response.Close();
        return received;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
