using System.Text.Json;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// The real AWS CLI, pointed at a stack the standard way (AWS_ENDPOINT_URL in its environment), as the README tells
/// users. Returns parsed JSON so tests assert on what the CLI printed.
/// </summary>
public static class AwsCli
{
    public static async Task<JsonElement> RunJsonAsync(string endpointUrl, params string[] arguments)
    {
        var result = await RunAsync(endpointUrl, arguments);
        result.EnsureSuccess();
        var text = result.StandardOutput.Trim();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<ProcessResult> RunAsync(string endpointUrl, params string[] arguments) =>
        ProcessRunner.RunAsync("aws", [.. arguments, "--output", "json"],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = endpointUrl, ["AWS_PAGER"] = "" },
            TimeSpan.FromSeconds(60));
}
