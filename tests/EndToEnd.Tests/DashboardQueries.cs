using System.Text.Json.Nodes;
using Coordinator.Testing;

namespace Coordinator.EndToEnd.Tests;

/// <summary>One query of one panel of deploy/grafana/coordinator.json, with Grafana's variables resolved for the Prometheus API.</summary>
public sealed record DashboardQuery(string Panel, string RefId, string Template, string Expr);

/// <summary>
/// Reads the dashboard as Grafana would: every panel's targets. Grafana's variables are replaced by what Grafana would
/// send for "all head nodes": $instance → .*, $__rate_interval → a window of several 1 s scrapes. A variable this
/// class does not know fails the test (a new variable must be given a value here, not silently passed on).
/// </summary>
public static class DashboardQueries
{
    public const string RateInterval = "15s";

    public static string DashboardPath => RepoFiles.FindUp(Path.Combine("deploy", "grafana", "coordinator.json"))
        ?? throw new FileNotFoundException("deploy/grafana/coordinator.json not found above the test directory");

    public static IReadOnlyList<DashboardQuery> Load(string path)
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var queries = new List<DashboardQuery>();
        foreach (var panel in Panels(dashboard["panels"]!.AsArray()))
        {
            var title = panel["title"]!.GetValue<string>();
            var targets = panel["targets"]?.AsArray() ?? throw new InvalidDataException($"panel \"{title}\" has no targets");
            if (targets.Count == 0)
            {
                throw new InvalidDataException($"panel \"{title}\" has no targets");
            }
            foreach (var target in targets)
            {
                var template = target!["expr"]?.GetValue<string>() ?? throw new InvalidDataException($"panel \"{title}\" has a target without expr");
                queries.Add(new DashboardQuery(title, target["refId"]!.GetValue<string>(), template, Resolve(title, template)));
            }
        }
        return queries;
    }

    /// <summary>Panels, including those inside collapsed rows.</summary>
    private static IEnumerable<JsonObject> Panels(JsonArray panels)
    {
        foreach (var panel in panels.Select(p => p!.AsObject()))
        {
            if (panel["type"]?.GetValue<string>() == "row")
            {
                foreach (var inner in Panels(panel["panels"]?.AsArray() ?? []))
                {
                    yield return inner;
                }
                continue;
            }
            yield return panel;
        }
    }

    private static string Resolve(string panel, string expr)
    {
        var resolved = expr
            .Replace("$__rate_interval", RateInterval, StringComparison.Ordinal)
            .Replace("$instance", ".*", StringComparison.Ordinal);
        return resolved.Contains('$', StringComparison.Ordinal)
            ? throw new InvalidDataException($"panel \"{panel}\": unknown Grafana variable in {expr}")
            : resolved;
    }
}
