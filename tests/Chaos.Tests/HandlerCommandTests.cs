using Coordinator.Worker.Handlers;

namespace Coordinator.Chaos.Tests;

/// <summary>The handler's command is looked up on the handler's documented PATH, not the worker's.</summary>
public sealed class HandlerCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coord-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_bare_name_resolves_to_the_first_executable_on_the_handler_PATH()
    {
        var first = Directory.CreateDirectory(Path.Combine(_dir, "a")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_dir, "b")).FullName;
        File.WriteAllText(Path.Combine(first, "tool"), "not executable");
        var executable = Path.Combine(second, "tool");
        File.WriteAllText(executable, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        Assert.Equal(executable, HandlerCommand.Resolve("tool", $"{first}:{second}"));
    }

    [Theory]
    [InlineData("/usr/bin/env")]
    [InlineData("./relative")]
    [InlineData("not-installed-anywhere")]
    public void Paths_and_unknown_names_are_left_for_Process_Start(string command) =>
        Assert.Equal(command, HandlerCommand.Resolve(command, "/usr/bin:/bin"));
}
