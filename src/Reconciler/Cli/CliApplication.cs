using System.CommandLine;

namespace Coordinator.Reconciler.Cli;

/// <summary>Builds the root command from every <see cref="ICliCommand"/> in this assembly.</summary>
public static class CliApplication
{
    public const string Description =
        "Coordinator: a reconciling operator that runs data-parallel batch jobs on Slurm, driven by DynamoDB records.\n\n" +
        ExitCodes.Table + "\n\n" +
        "Shell completion: eval \"$(coordinator completion bash)\" (or zsh). Settings: --Coordinator:Name=value, " +
        "COORDINATOR__NAME, then $COORDINATOR_CONFIG or ~/.config/coordinator/coordinator.json, then /etc/coordinator/coordinator.json. " +
        "AWS: --profile, --region, --endpoint-url, or the AWS CLI's own variables and ~/.aws files.";

    /// <summary>The AWS CLI's global options, on every verb: each is the Coordinator setting of the same meaning.</summary>
    public static readonly IReadOnlyList<(Option<string> Option, string Setting)> AwsOptions =
    [
        (new Option<string>("--profile") { Description = "AWS named profile for credentials and region (as `aws --profile`; else AWS_PROFILE)", Recursive = true }, "Profile"),
        (new Option<string>("--region") { Description = "AWS region (as `aws --region`; else AWS_REGION, AWS_DEFAULT_REGION, the profile's)", Recursive = true }, "Region"),
        (new Option<string>("--endpoint-url") { Description = "AWS endpoint for DynamoDB, its streams and S3 (as `aws --endpoint-url`; else AWS_ENDPOINT_URL)", Recursive = true }, "EndpointUrl"),
    ];

    public static RootCommand Build()
    {
        var root = new RootCommand(Description);
        foreach (var (option, _) in AwsOptions)
        {
            root.Options.Add(option);
        }
        var verbs = typeof(CliApplication).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(ICliCommand).IsAssignableFrom(t))
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .Select(c => c.Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var verb in verbs)
        {
            root.Subcommands.Add(verb);
        }
        return root;
    }

    public static Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        return InvokeAsync(parse);
    }

    /// <summary>Runs the parsed command; a command line that did not parse is a usage error (2), not System.CommandLine's 1.</summary>
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        var code = await parse.InvokeAsync().ConfigureAwait(false);
        return parse.Errors.Count > 0 && code != ExitCodes.Success ? ExitCodes.Usage : code;
    }
}
