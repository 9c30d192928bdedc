using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// Logs to journald over its native protocol (one datagram per entry on /run/systemd/journal/socket, fields as
/// <c>NAME=value</c> lines, or NAME, a 64-bit little-endian length and the bytes for a value with a newline), so each
/// structured value of a log line and of its scopes is a journal field of its own: <c>journalctl -u coordinator
/// JOB_NAME=wordcount</c>, or <c>-o json</c> to read them all. Field names are the message template's names in
/// journald's style (JobName → JOB_NAME, BatchIndex → BATCH_INDEX); MESSAGE, PRIORITY (syslog levels),
/// SYSLOG_IDENTIFIER, LOGGER (the category), EVENT_ID and EXCEPTION are set too. `daemon --log-format journal`.
/// </summary>
public sealed class JournaldLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    public const string DefaultSocket = "/run/systemd/journal/socket";

    /// <summary>Largest datagram sent; a bigger entry has its MESSAGE and EXCEPTION cut (journald's own limit is larger).</summary>
    public const int MaxEntryBytes = 96 * 1024;

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly ConcurrentDictionary<string, JournaldLogger> _loggers = new(StringComparer.Ordinal);
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public JournaldLoggerProvider(string socketPath = DefaultSocket)
    {
        _endpoint = new UnixDomainSocketEndPoint(socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>True when journald's socket exists here (the daemon runs under systemd with a journal).</summary>
    public static bool Available(string socketPath = DefaultSocket) => File.Exists(socketPath);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new JournaldLogger(name, this));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _socket.Dispose();

    internal IExternalScopeProvider Scopes => _scopes;

    internal void Send(ReadOnlySpan<byte> entry)
    {
        try
        {
            _socket.SendTo(entry, SocketFlags.None, _endpoint);
        }
        catch (SocketException)
        {
            // journald gone or full: a log line is not worth failing the daemon for (systemd keeps stderr too).
        }
    }

    /// <summary>journald's field name for a template name: JobName → JOB_NAME; null when nothing valid is left.</summary>
    public static string? FieldName(string name)
    {
        var field = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1]) && char.IsAsciiLetterUpper(name[i - 1]))))
            {
                field.Append('_');
            }
            field.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        var result = field.ToString().TrimStart('_');
        while (result.Length > 0 && char.IsAsciiDigit(result[0]))
        {
            result = result[1..];
        }
        return result.Length == 0 ? null : result.Length > 64 ? result[..64] : result;
    }

    /// <summary>One entry in journald's native format.</summary>
    public static byte[] Entry(IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        foreach (var (name, value) in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            buffer.Write(Encoding.ASCII.GetBytes(name));
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                buffer.WriteByte((byte)'\n');
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
                buffer.Write(length);
            }
            else
            {
                buffer.WriteByte((byte)'=');
            }
            buffer.Write(bytes);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    private sealed class JournaldLogger(string category, JournaldLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.Scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            var fields = new List<KeyValuePair<string, string>>
            {
                new("MESSAGE", Cut(exception is null ? message : message + "\n" + exception)),
                new("PRIORITY", Priority(logLevel).ToString(CultureInfo.InvariantCulture)),
                new("SYSLOG_IDENTIFIER", "coordinator"),
                new("LOGGER", category),
            };
            if (eventId.Id != 0)
            {
                fields.Add(new("EVENT_ID", eventId.Id.ToString(CultureInfo.InvariantCulture)));
            }
            if (exception is not null)
            {
                fields.Add(new("EXCEPTION", exception.GetType().FullName ?? exception.GetType().Name));
            }
            var seen = new HashSet<string>(fields.Select(f => f.Key), StringComparer.Ordinal);
            AddValues(state, fields, seen);
            provider.Scopes.ForEachScope((scope, list) => AddValues(scope, list, seen), fields);
            provider.Send(Entry(fields));
        }

        private static void AddValues(object? state, List<KeyValuePair<string, string>> fields, HashSet<string> seen)
        {
            if (state is not IEnumerable<KeyValuePair<string, object?>> values)
            {
                return;
            }
            foreach (var (name, value) in values)
            {
                if (name == "{OriginalFormat}" || value is null || FieldName(name) is not { } field || !seen.Add(field))
                {
                    continue;
                }
                fields.Add(new(field, Cut(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")));
            }
        }

        private static string Cut(string value) => value.Length <= MaxEntryBytes / 4 ? value : value[..(MaxEntryBytes / 4)] + "…";

        private static int Priority(LogLevel level) => level switch
        {
            LogLevel.Critical => 2,
            LogLevel.Error => 3,
            LogLevel.Warning => 4,
            LogLevel.Information => 6,
            _ => 7,
        };
    }
}
