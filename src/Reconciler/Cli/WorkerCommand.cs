using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Coordinator.Aws.DynamoDb;
using Coordinator.Data.Storage;
using Coordinator.Reconciler.Configuration;
using Coordinator.Reconciler.Hosting;
using Coordinator.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator worker`: what each Slurm array task runs. Array mode runs one batch (--index, or --index-offset plus
/// SLURM_ARRAY_TASK_ID), or a pack of --batches-per-task batches, each claimed and recorded on its own; pilot mode (--pilot) claims pending batches until none are left. A SIGTERM (Slurm's time
/// limit or preemption) stops the handler and records the attempt as a disruption, which is retried uncounted.
/// Exits 0 once the outcome is recorded, whether the batch succeeded or failed: the task item, not the Slurm exit
/// code, is the record.
/// </summary>
public sealed class WorkerCommand : ICliCommand
{
    public Command Build()
    {
        var job = new Option<string>("--job", "-j") { Description = "Job name", Required = true };
        var index = new Option<int?>("--index", "-i") { Description = "Batch index (default: --index-offset + SLURM_ARRAY_TASK_ID)" };
        var offset = new Option<int>("--index-offset") { Description = "Added to SLURM_ARRAY_TASK_ID to get the batch index", DefaultValueFactory = _ => 0 };
        var pilot = new Option<bool>("--pilot") { Description = "Pilot mode: claim pending batches until none are left" };
        var pilots = new Option<int>("--pilots") { Description = "Pilot mode: how many pilots run (spreads their starting points)", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int?>("--concurrency") { Description = "Pilot mode: batches run at once by this pilot (default 8)" };
        var perTask = new Option<int>("--batches-per-task")
        {
            Description = "Array mode: batches each array task runs (a pack): --index-offset + SLURM_ARRAY_TASK_ID × N … + N − 1",
            DefaultValueFactory = _ => 1,
        };
        var scratch = new Option<string?>("--scratch") { Description = "Node-local scratch root (default $SLURM_TMPDIR, $TMPDIR or /tmp)" };
        var command = new Command("worker", "Run batches of a job (what each Slurm array task runs).")
        {
            job, index, offset, pilot, pilots, concurrency, perTask, scratch,
        };
        command.AcceptOverrides();
        command.SetAction(async (ParseResult parseResult, CancellationToken ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var jobName = parseResult.GetValue(job)!;
            var arrayTask = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
            int? arrayIndex = int.TryParse(arrayTask, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnv) ? fromEnv : null;
            var pack = parseResult.GetValue(perTask);
            if (pack < 1)
            {
                await error.WriteLineAsync($"worker: --batches-per-task must be at least 1, got {pack}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            var batch = parseResult.GetValue(index) ?? (arrayIndex is { } a ? parseResult.GetValue(offset) + a * pack : null);
            var isPilot = parseResult.GetValue(pilot);
            if (!isPilot && batch is null)
            {
                await error.WriteLineAsync("worker: give --index, run inside a Slurm array task (SLURM_ARRAY_TASK_ID), or use --pilot").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            using var disruption = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                // Keep running long enough to stop the handler and record the disruption; Slurm SIGKILLs after KillWait.
                context.Cancel = true;
                disruption.Cancel();
            });
            try
            {
                var configuration = CoordinatorConfiguration.Build(CoordinatorConfiguration.Overrides(parseResult));
                var (options, workerOptions) = CoordinatorConfiguration.Load(configuration);
                if (parseResult.GetValue(scratch) is { Length: > 0 } root)
                {
                    workerOptions.ScratchRoot = root;
                }
                if (parseResult.GetValue(concurrency) is { } parallel)
                {
                    if (parallel < 1)
                    {
                        await error.WriteLineAsync($"worker: --concurrency must be at least 1, got {parallel}").ConfigureAwait(false);
                        return ExitCodes.Usage;
                    }
                    workerOptions.PilotConcurrency = parallel;
                }
                using var services = CoordinatorServices.BuildProvider(configuration, CoordinatorProcess.Worker,
                    b => b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Information));
                var state = services.GetRequiredService<DynamoStateStore>();
                var time = services.GetRequiredService<TimeProvider>();
                var loggers = services.GetRequiredService<ILoggerFactory>();
                await using var worker = new TaskWorker(state, services.GetRequiredService<IObjectStore>(), options, workerOptions, time,
                    loggers.CreateLogger<TaskWorker>());
                var identity = WorkerIdentity.FromEnvironment();
                if (isPilot)
                {
                    var pilotIndex = parseResult.GetValue(index) ?? arrayIndex ?? 0;
                    await new PilotWorker(state, worker, time, loggers.CreateLogger<PilotWorker>()) { Concurrency = workerOptions.PilotConcurrency }
                        .RunAsync(jobName, pilotIndex, parseResult.GetValue(pilots), identity, disruption.Token, ct).ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                var jobItem = await state.GetJobAsync(jobName, ct).ConfigureAwait(false);
                if (jobItem is null)
                {
                    await error.WriteLineAsync($"worker: job \"{jobName}\" not found in table {options.JobsTable}").ConfigureAwait(false);
                    return ExitCodes.UserError;
                }
                if (pack > 1)
                {
                    await worker.RunPackAsync(jobItem, batch!.Value, pack, workerOptions.PilotConcurrency, identity, disruption.Token, ct).ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                await worker.RunAsync(jobItem, batch!.Value, identity, disruption.Token, ct).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExitCodes.For(e) is { } code)
            {
                await error.WriteLineAsync(code switch
                {
                    ExitCodes.Usage => e.Message,
                    ExitCodes.Environment => $"worker: AWS is unreachable or refused the request: {e.Message}",
                    _ => $"worker: {e.Message}",
                }).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }
}
