namespace Coordinator.Scheduling.Commands;

/// <summary>Outcome of running one external command (sbatch, squeue, scontrol, scancel).</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError);
