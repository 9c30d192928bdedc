namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>What a finished child process did.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with the command, exit code and both streams when the exit code is not 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{Command}` exited {ExitCode}{Environment.NewLine}stdout: {StandardOutput}{Environment.NewLine}stderr: {StandardError}");
        }
        return this;
    }
}
