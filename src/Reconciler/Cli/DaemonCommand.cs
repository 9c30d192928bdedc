using System.CommandLine;
using Coordinator.Reconciler.Configuration;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.Queue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator daemon`: the reconciling operator, run by systemd (Type=notify: READY=1 once the first list is done,
/// or once it knows it is the standby). Settings come from appsettings.json, COORDINATOR__* and COORDINATOR_DAEMON__*
/// environment variables and --Coordinator:… / --Daemon:… arguments. SIGTERM drains in-flight reconciles, releases
/// the lease and exits 0.
/// </summary>
public sealed class DaemonCommand : ICliCommand
{
    public const string DaemonEnvironmentPrefix = "COORDINATOR_DAEMON__";

    public Command Build()
    {
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Log format: text (default, with the job name and other fields as scopes), json (one object per line), " +
                "or journal (journald's native protocol: every field a journal field, JOB_NAME=… BATCH_INDEX=…; json where there is no journal)",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json", "journal");
        var command = new Command("daemon",
            "Run the reconciler: follow the jobs and tasks streams and reconcile every job toward its spec (one leader at a time). " +
            "Settings: --Coordinator:JobsTable=x, --Daemon:Queue:MaxConcurrentReconciles=8, --Daemon:Telemetry:PrometheusEndpoint=http://127.0.0.1:9464/, " +
            "--Daemon:Telemetry:OtlpEndpoint=http://127.0.0.1:4317 (or COORDINATOR__… / COORDINATOR_DAEMON__… environment variables).")
        {
            logFormat,
        };
        command.AcceptOverrides();
        command.SetAction(async (ParseResult parseResult, CancellationToken ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var daemonOverrides = parseResult.UnmatchedTokens.Where(t => t.StartsWith("--Daemon:", StringComparison.OrdinalIgnoreCase)).ToArray();
            var (overrides, rejected) = CommandLineOverrides.Split(parseResult.UnmatchedTokens.Except(daemonOverrides).ToList());
            if (rejected.Count > 0)
            {
                await error.WriteLineAsync($"unrecognised arguments: {string.Join(" ", rejected)} (settings are --Coordinator:Name=value or --Daemon:Section:Name=value)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            try
            {
                var configuration = BuildConfiguration(overrides, daemonOverrides);
                CoordinatorConfiguration.LoadOptions(configuration); // names every bad Coordinator setting before anything starts
                using var host = BuildHost(configuration, parseResult.GetValue(logFormat) ?? "text");
                await host.RunAsync(ct).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExitCodes.For(e) is { } code)
            {
                await error.WriteLineAsync(e switch
                {
                    Microsoft.Extensions.Options.OptionsValidationException invalid => "invalid daemon settings: " + string.Join("; ", invalid.Failures),
                    _ when code == ExitCodes.Usage => e.Message,
                    _ => $"daemon failed: {e}",
                }).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }

    /// <summary>The Coordinator configuration plus the daemon's own sections (COORDINATOR_DAEMON__QUEUE__X → Daemon:Queue:X).</summary>
    public static IConfiguration BuildConfiguration(string[] coordinatorOverrides, string[] daemonOverrides)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith(DaemonEnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => new KeyValuePair<string, string?>("Daemon:" + k[DaemonEnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal),
                Environment.GetEnvironmentVariable(k)));
        // The standard OpenTelemetry variables, under their own names: the OTLP exporter reads them from configuration.
        var openTelemetry = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(k => new KeyValuePair<string, string?>(k, Environment.GetEnvironmentVariable(k)));
        return new ConfigurationBuilder()
            .AddConfiguration(CoordinatorConfiguration.Build(coordinatorOverrides))
            .AddInMemoryCollection(openTelemetry)
            .AddInMemoryCollection(environment)
            .AddCommandLine(daemonOverrides)
            .Build();
    }

    public static IHost BuildHost(IConfiguration configuration, string logFormat)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "coordinator" });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        if (logFormat == "journal" && !JournaldLoggerProvider.Available())
        {
            Console.Error.WriteLine($"--log-format journal: no journald socket at {JournaldLoggerProvider.DefaultSocket}; logging JSON to stdout instead");
            logFormat = "json";
        }
        if (logFormat == "journal")
        {
            builder.Logging.AddProvider(new JournaldLoggerProvider());
        }
        else if (logFormat == "json")
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        builder.Services.AddSystemd();
        if (logFormat == "json")
        {
            // Under systemd, AddSystemd makes the console logger use its own formatter (a "<6>" priority prefix on
            // text): the JSON asked for must win, so that journald stores one JSON object per line.
            builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Json);
        }
        var drain = configuration.GetSection(WorkQueueOptions.SectionName).Get<WorkQueueOptions>()?.DrainTimeout ?? new WorkQueueOptions().DrainTimeout;
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drain + TimeSpan.FromSeconds(15));
        builder.Services.AddCoordinatorDaemon(configuration);
        return builder.Build();
    }
}
