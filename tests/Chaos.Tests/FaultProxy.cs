using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// A fault-injecting HTTP/1.1 proxy on loopback in front of moto. Daemon and workers point AWS_ENDPOINT_URL at it.
/// Each request is forwarded on a fresh upstream connection (Connection: close) unless the dice pick a fault: a
/// throttling answer in the service's own wire format (DynamoDB JSON 400 ThrottlingException or
/// ProvisionedThroughputExceededException, S3 XML 503 SlowDown), a 500, a 503, a connection reset before the request
/// reaches moto, a reset after moto applied it (the reply is lost, so the client's retry meets its own write), or
/// added latency. Counts every request and fault so the tests can report them.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private static readonly (FaultKind Kind, int Weight)[] Mix =
    [
        (FaultKind.Throttle, 30), (FaultKind.ServerError, 15), (FaultKind.Unavailable, 15),
        (FaultKind.ResetBefore, 10), (FaultKind.ResetAfter, 10), (FaultKind.Latency, 20),
    ];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly double _rate;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<FaultKind, int> _counts = new();
    private int _requests;
    private long _stallNextTicks;
    private int _stalled;

    public FaultProxy(Uri upstream, double rate, int seed)
    {
        _upstream = upstream;
        _rate = rate;
        _random = new Random(seed);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Fault injection can be paused (e.g. while the test itself sets up) and resumed.</summary>
    public bool Enabled { get; set; } = true;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// Holds the next request for this long before forwarding it (then clears itself): one slow call, such as a
    /// throttled request sitting in the SDK's backoff or an endpoint stalled under load.
    /// </summary>
    public TimeSpan StallNext
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _stallNextTicks));
        set => Interlocked.Exchange(ref _stallNextTicks, value.Ticks);
    }

    /// <summary>
    /// Called after a request was forwarded and answered upstream, before the answer goes back to the client: a test can
    /// pause the client here with its write applied and the answer still unread (what a pause mid-call looks like).
    /// </summary>
    public Func<HttpMessage, Task>? OnForwarded { get; set; }

    /// <summary>
    /// A fault chosen for one kind of request, before the dice: return a kind to apply it to this request, or null to
    /// let the random mix decide (a test aiming one fault at one call, e.g. the reply of an S3 abort lost).
    /// </summary>
    public Func<HttpMessage, FaultKind?>? Aim { get; set; }

    /// <summary>Requests held by <see cref="StallNext"/> so far.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public int Count(FaultKind kind) => _counts.GetValueOrDefault(kind);

    public int Faults => _counts.Where(c => c.Key != FaultKind.None).Sum(c => c.Value);

    public string Summary() =>
        $"requests={Requests} faults={Faults} " + string.Join(' ', Mix.Select(m => $"{m.Kind}={Count(m.Kind)}"));

    private FaultKind Decide()
    {
        lock (_random)
        {
            if (!Enabled || _random.NextDouble() >= _rate)
            {
                return FaultKind.None;
            }
            var pick = _random.Next(Mix.Sum(m => m.Weight));
            foreach (var (kind, weight) in Mix)
            {
                if ((pick -= weight) < 0)
                {
                    return kind;
                }
            }
            return FaultKind.None;
        }
    }

    private int LatencyMs()
    {
        lock (_random)
        {
            return _random.Next(100, 800);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new BufferedReader(stream);
                while (await HttpMessage.ReadHeadAsync(reader, _stop.Token) is { } request)
                {
                    if (request.Header("Expect")?.Equals("100-continue", StringComparison.OrdinalIgnoreCase) == true)
                    {
                        await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), _stop.Token);
                        request.SetHeader("Expect", null);
                    }
                    await request.ReadBodyAsync(reader, _stop.Token);
                    Interlocked.Increment(ref _requests);
                    var fault = Aim?.Invoke(request) ?? Decide();
                    _counts.AddOrUpdate(fault, 1, (_, n) => n + 1);
                    if (!await HandleAsync(client, stream, request, fault))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the proxy stops: nothing to answer.
            }
        }
    }

    /// <summary>Answers one request; false when the connection must end (a reset, or an upstream without framing).</summary>
    private async Task<bool> HandleAsync(TcpClient client, NetworkStream stream, HttpMessage request, FaultKind fault)
    {
        var target = request.Header("X-Amz-Target");
        var dynamo = target is not null;
        if (Interlocked.Exchange(ref _stallNextTicks, 0) is > 0 and var stall)
        {
            Interlocked.Increment(ref _stalled);
            await Task.Delay(TimeSpan.FromTicks(stall), _stop.Token);
        }
        switch (fault)
        {
            case FaultKind.ResetBefore:
                Reset(client);
                return false;
            case FaultKind.Throttle:
                await WriteAsync(stream, dynamo
                    ? Json(400, "Bad Request", Random2() ? "ThrottlingException" : "ProvisionedThroughputExceededException", target!)
                    : Xml(503, "Slow Down", "SlowDown", "Please reduce your request rate."));
                return true;
            case FaultKind.ServerError:
                await WriteAsync(stream, dynamo
                    ? Json(500, "Internal Server Error", "InternalServerError", target!)
                    : Xml(500, "Internal Server Error", "InternalError", "We encountered an internal error. Please try again."));
                return true;
            case FaultKind.Unavailable:
                await WriteAsync(stream, dynamo
                    ? Json(503, "Service Unavailable", "ServiceUnavailable", target!)
                    : Xml(503, "Service Unavailable", "ServiceUnavailable", "Service is unable to handle request."));
                return true;
            case FaultKind.Latency:
                await Task.Delay(LatencyMs(), _stop.Token);
                break;
            default:
                break;
        }
        var (response, keepAlive) = await ForwardAsync(request);
        if (OnForwarded is { } forwarded)
        {
            await forwarded(request);
        }
        if (fault == FaultKind.ResetAfter)
        {
            Reset(client);
            return false;
        }
        await WriteAsync(stream, response);
        return keepAlive;
    }

    private bool Random2()
    {
        lock (_random)
        {
            return _random.Next(2) == 0;
        }
    }

    /// <summary>Sends the request to moto on a new connection and returns the reply, re-framed for the client.</summary>
    private async Task<(byte[] Response, bool KeepAlive)> ForwardAsync(HttpMessage request)
    {
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
        var stream = upstream.GetStream();
        request.SetHeader("Connection", "close");
        await stream.WriteAsync(request.HeadBytes(), _stop.Token);
        await stream.WriteAsync(request.Body, _stop.Token);
        var reader = new BufferedReader(stream);
        var response = await HttpMessage.ReadHeadAsync(reader, _stop.Token) ?? throw new IOException("moto closed without a reply");
        var rest = await reader.ReadToEndAsync(_stop.Token);
        var framed = response.Header("Content-Length") is not null
            || response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        var keepAlive = true;
        if (!framed)
        {
            if (request.StartLine.StartsWith("HEAD ", StringComparison.Ordinal))
            {
                keepAlive = false;
            }
            else
            {
                response.SetHeader("Content-Length", rest.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        response.SetHeader("Connection", keepAlive ? "keep-alive" : "close");
        return ([.. response.HeadBytes(), .. rest], keepAlive);
    }

    private static void Reset(TcpClient client)
    {
        client.LingerState = new LingerOption(true, 0);
        client.Client.Close();
    }

    private async Task WriteAsync(NetworkStream stream, byte[] bytes) => await stream.WriteAsync(bytes, _stop.Token);

    private static byte[] Json(int status, string reason, string error, string target)
    {
        // DynamoDB and DynamoDB Streams (target DynamoDBStreams_20120810.*) share the error namespace.
        _ = target;
        var body = $"{{\"__type\":\"com.amazonaws.dynamodb.v20120810#{error}\",\"message\":\"injected by the chaos fault proxy\"}}";
        return Response(status, reason, "application/x-amz-json-1.0", body);
    }

    private static byte[] Xml(int status, string reason, string code, string message) => Response(status, reason, "application/xml",
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>chaos</RequestId></Error>");

    private static byte[] Response(int status, string reason, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n"
            + "x-amzn-RequestId: chaos\r\nx-amz-request-id: chaos\r\nConnection: keep-alive\r\n\r\n";
        return [.. Encoding.Latin1.GetBytes(head), .. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
