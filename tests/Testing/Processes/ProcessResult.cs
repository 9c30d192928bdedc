namespace Coordinator.Testing.Processes;

/// <summary>What a finished child process did.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>
    /// Throws with <paramref name="what"/> (else the command line), the exit code and both streams when the exit code
    /// is not 0.
    /// </summary>
    public ProcessResult EnsureSuccess(string? what = null)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{what ?? Command}` exited {ExitCode}{Environment.NewLine}stdout: {StandardOutput}{Environment.NewLine}stderr: {StandardError}");
        }
        return this;
    }
}
