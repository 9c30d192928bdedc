using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Coordinator.Reconciler.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Tests.Hosting;

/// <summary>
/// The journald logger speaks journald's native protocol to a datagram socket (here one the test binds, read back and
/// parsed as journald parses it): each template value and scope value is a field, names in journald's style,
/// multi-line values in the length-prefixed form.
/// </summary>
public sealed partial class JournaldLoggerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("coord-journal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("JobName", "JOB_NAME")]
    [InlineData("BatchIndex", "BATCH_INDEX")]
    [InlineData("SlurmJobId", "SLURM_JOB_ID")]
    [InlineData("HTTPStatus", "HTTP_STATUS")]
    [InlineData("URL", "URL")]
    [InlineData("attempt", "ATTEMPT")]
    [InlineData("_private", "PRIVATE")]
    [InlineData("1st", "ST")]
    [InlineData("a-b", "A_B")]
    public void Template_names_become_journald_field_names(string name, string field) =>
        Assert.Equal(field, JournaldLoggerProvider.FieldName(name));

    [Fact]
    public void An_entry_carries_the_message_priority_template_values_and_scope_values_as_fields()
    {
        var path = Path.Combine(_directory, "socket");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(path));
        using var provider = new JournaldLoggerProvider(path);
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        var logger = factory.CreateLogger("Coordinator.Controllers.StatusController");

        using (logger.BeginScope("JobName={JobName}", "wordcount"))
        {
            BatchLost(logger, 7, "1234");
        }
        var fields = Parse(Receive(journal));
        Assert.Equal("wordcount: batch 7 lost (Slurm job 1234)", fields["MESSAGE"]);
        Assert.Equal("4", fields["PRIORITY"]);
        Assert.Equal("coordinator", fields["SYSLOG_IDENTIFIER"]);
        Assert.Equal("Coordinator.Controllers.StatusController", fields["LOGGER"]);
        Assert.Equal("6401", fields["EVENT_ID"]);
        Assert.Equal(("wordcount", "7", "1234"), (fields["JOB_NAME"], fields["BATCH_INDEX"], fields["SLURM_JOB_ID"]));

        logger.LogError(new InvalidOperationException("line one\nline two"), "Failed {What}", "thing");
        var failed = Parse(Receive(journal));
        Assert.StartsWith("Failed thing\nSystem.InvalidOperationException: line one\nline two", failed["MESSAGE"], StringComparison.Ordinal);
        Assert.Equal(("3", "System.InvalidOperationException", "thing"), (failed["PRIORITY"], failed["EXCEPTION"], failed["WHAT"]));
        Assert.False(failed.ContainsKey("JOB_NAME")); // the scope ended
    }

    [LoggerMessage(EventId = 6401, Level = LogLevel.Warning, Message = "{JobName}: batch {BatchIndex} lost (Slurm job {SlurmJobId})")]
    private static partial void BatchLostWithName(ILogger logger, string jobName, int batchIndex, string slurmJobId);

    [LoggerMessage(EventId = 6401, Level = LogLevel.Warning, Message = "wordcount: batch {BatchIndex} lost (Slurm job {SlurmJobId})")]
    private static partial void BatchLost(ILogger logger, int batchIndex, string slurmJobId);

    [Fact]
    public void A_template_value_wins_over_a_scope_value_of_the_same_name()
    {
        var path = Path.Combine(_directory, "socket2");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(path));
        using var provider = new JournaldLoggerProvider(path);
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        var logger = factory.CreateLogger("x");
        using (logger.BeginScope("JobName={JobName}", "outer"))
        {
            BatchLostWithName(logger, "inner", 3, "9");
        }
        Assert.Equal("inner", Parse(Receive(journal))["JOB_NAME"]);
    }

    private static byte[] Receive(Socket socket)
    {
        socket.ReceiveTimeout = 5000;
        var buffer = new byte[JournaldLoggerProvider.MaxEntryBytes * 2];
        return buffer[..socket.Receive(buffer)];
    }

    /// <summary>journald's parse of a native entry: NAME=value lines, or NAME\n + u64 LE length + bytes + \n.</summary>
    private static Dictionary<string, string> Parse(byte[] entry)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < entry.Length)
        {
            var end = Array.IndexOf(entry, (byte)'\n', at);
            var equals = Array.IndexOf(entry, (byte)'=', at, end - at);
            if (equals >= 0)
            {
                fields[Encoding.ASCII.GetString(entry, at, equals - at)] = Encoding.UTF8.GetString(entry, equals + 1, end - equals - 1);
                at = end + 1;
                continue;
            }
            var name = Encoding.ASCII.GetString(entry, at, end - at);
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(end + 1, 8));
            fields[name] = Encoding.UTF8.GetString(entry, end + 9, length);
            Assert.Equal((byte)'\n', entry[end + 9 + length]);
            at = end + 10 + length;
        }
        return fields;
    }
}
