using Coordinator.Testing.Processes;
using Testcontainers.LocalStack;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// LocalStack in Docker through Testcontainers.LocalStack, for machines with a Docker engine. Where no engine answers
/// (these build machines have the Docker client but no engine), <see cref="UnavailableReason"/> says so and the tests
/// that use it are reported as skipped with that reason, never as passed.
/// </summary>
public sealed class LocalStackContainerFixture : IAsyncLifetime
{
    /// <summary>The LocalStack image; pinned so a run is repeatable.</summary>
    public const string Image = "localstack/localstack:4.0";

    private LocalStackContainer? _container;

    /// <summary>Why the container is not available; null once it runs.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>LocalStack's edge URL once started.</summary>
    public string ServiceUrl => _container?.GetConnectionString()
        ?? throw new InvalidOperationException(UnavailableReason ?? "LocalStack container not started");

    public async Task InitializeAsync()
    {
        UnavailableReason = await DockerEngineProblemAsync();
        if (UnavailableReason is not null)
        {
            return;
        }
        _container = new LocalStackBuilder(Image).WithEnvironment("SERVICES", "s3,dynamodb").Build();
        try
        {
            await _container.StartAsync();
        }
        catch (Exception e)
        {
            // A Docker engine that answers but cannot pull or run the image is a real failure: rethrow, do not skip.
            throw new InvalidOperationException($"Docker answers but LocalStack ({Image}) failed to start: {e.Message}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>Null when `docker version` reaches an engine, else the reason (no client, no engine).</summary>
    private static async Task<string?> DockerEngineProblemAsync()
    {
        try
        {
            var version = await ProcessRunner.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"],
                timeout: TimeSpan.FromSeconds(15));
            return version.ExitCode == 0 && version.StandardOutput.Trim().Length > 0
                ? null
                : $"no Docker engine answers (`docker version` exited {version.ExitCode}: {version.StandardError.Trim()})";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"the docker client is not installed ({e.Message})";
        }
        catch (TimeoutException e)
        {
            return $"no Docker engine answers ({e.Message})";
        }
    }
}
