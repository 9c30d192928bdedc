using System.CommandLine;
using Coordinator.Controllers.Configuration;
using Coordinator.Worker;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// Builds Coordinator's configuration in one order, lowest precedence first: appsettings.json next to the executable
/// (what the package ships), /etc/coordinator/coordinator.json (the machine's), the user's file ($COORDINATOR_CONFIG,
/// else $XDG_CONFIG_HOME/coordinator/coordinator.json, else ~/.config/coordinator/coordinator.json), COORDINATOR__*
/// environment variables, then command-line overrides (<c>--Coordinator:JobsTable=x</c>, and the AWS CLI's --profile,
/// --region, --endpoint-url). Never a file of whatever directory the command runs in. Every verb and the daemon go
/// through here, so they agree on every setting.
/// </summary>
public static class CoordinatorConfiguration
{
    public const string FileName = "appsettings.json";
    public const string SystemDirectory = "/etc/coordinator";
    public const string ConfigFileName = "coordinator.json";
    public const string ConfigVariable = "COORDINATOR_CONFIG";

    /// <summary>
    /// Sections of "Coordinator" bound to options classes of their own rather than to properties of
    /// <see cref="CoordinatorOptions"/>; the shape check knows their keys too, so a typo there is reported as well.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> Sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [WorkerOptions.SectionName] = typeof(WorkerOptions),
    };

    public static IConfigurationRoot Build(string[] commandLineOverrides) =>
        new ConfigurationBuilder().AddCoordinatorSources(commandLineOverrides).Build();

    /// <summary>The same, with the directories and environment given: what tests use.</summary>
    public static IConfigurationRoot Build(
        string[] commandLineOverrides, string executableDirectory, string systemDirectory, System.Collections.IDictionary environment) =>
        new ConfigurationBuilder()
            .AddCoordinatorSources(commandLineOverrides, executableDirectory, systemDirectory, environment)
            .Build();

    /// <summary>
    /// Adds Coordinator's sources, in order, to any builder. The daemon host uses it on its HostApplicationBuilder
    /// (after clearing the default sources) so the daemon and the CLI verbs read settings identically.
    /// </summary>
    public static IConfigurationBuilder AddCoordinatorSources(this IConfigurationBuilder builder, string[] commandLineOverrides) =>
        builder.AddCoordinatorSources(commandLineOverrides, AppContext.BaseDirectory, SystemDirectory, Environment.GetEnvironmentVariables());

    /// <summary>The same, with the directories and environment given.</summary>
    public static IConfigurationBuilder AddCoordinatorSources(
        this IConfigurationBuilder builder, string[] commandLineOverrides, string executableDirectory, string systemDirectory,
        System.Collections.IDictionary environment)
    {
        builder.AddJsonFile(Path.Combine(executableDirectory, FileName), optional: true, reloadOnChange: false);
        builder.AddJsonFile(Path.Combine(systemDirectory, ConfigFileName), optional: true, reloadOnChange: false);
        var (userFile, required) = UserFile(environment);
        if (userFile is not null)
        {
            if (required && !File.Exists(userFile))
            {
                throw new CoordinatorConfigurationException([$"{ConfigVariable}: no such file: {userFile}"]);
            }
            builder.AddJsonFile(userFile, optional: !required, reloadOnChange: false);
        }
        return builder
            .AddInMemoryCollection(EnvironmentOverrides.From(environment))
            .AddCommandLine(commandLineOverrides);
    }

    /// <summary>
    /// The user's configuration file: $COORDINATOR_CONFIG (then it must exist), else the XDG place, else none (no HOME).
    /// </summary>
    public static (string? Path, bool Required) UserFile(System.Collections.IDictionary environment)
    {
        string? Variable(string name) => environment[name] as string is { Length: > 0 } value ? value : null;
        if (Variable(ConfigVariable) is { } explicitFile)
        {
            return (Path.GetFullPath(explicitFile), true);
        }
        var configHome = Variable("XDG_CONFIG_HOME") ?? (Variable("HOME") is { } home ? Path.Combine(home, ".config") : null);
        return (configHome is null ? null : Path.Combine(configHome, "coordinator", ConfigFileName), false);
    }

    /// <summary>
    /// Binds section "Coordinator" and validates it, with its own sections (<see cref="Sections"/>: Coordinator:Worker).
    /// Throws <see cref="CoordinatorConfigurationException"/> naming every bad setting: unknown keys (typos), values of
    /// the wrong type, and values that break a rule.
    /// </summary>
    public static CoordinatorOptions LoadOptions(IConfiguration configuration) => Load(configuration).Coordinator;

    /// <summary>The same, also returning the worker's settings (section "Coordinator:Worker").</summary>
    public static (CoordinatorOptions Coordinator, WorkerOptions Worker) Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(CoordinatorOptions.SectionName);
        // Check the shape first: the binder ignores misspelt keys and stops at the first unconvertible value.
        // The well-formed rest is still bound and validated, so every bad setting is reported in one run.
        var problems = ConfigurationShape.Check(section, typeof(CoordinatorOptions), Sections);
        var options = new CoordinatorOptions();
        var worker = new WorkerOptions();
        var bindable = problems.Count == 0 ? section : ConfigurationShape.Without(section, problems).GetSection(CoordinatorOptions.SectionName);
        bindable.Bind(options);
        bindable.GetSection(WorkerOptions.SectionName).Bind(worker);
        var errors = problems.Select(p => p.ToString())
            .Concat(CoordinatorOptionsValidator.Validate(options))
            .Concat(WorkerOptionsValidator.Validate(worker))
            .ToList();
        if (errors.Count > 0)
        {
            throw new CoordinatorConfigurationException(errors);
        }
        return (options, worker);
    }

    /// <summary>
    /// Lets <paramref name="command"/> accept <c>--Coordinator:Setting=value</c> overrides; pair it with
    /// <see cref="LoadOptions(ParseResult)"/> in the action. Any other unknown token is still an error there.
    /// </summary>
    public static Command AcceptOverrides(this Command command)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        return command;
    }

    /// <summary>
    /// Builds the configuration with the verb's <c>--Coordinator:…</c> overrides and loads validated options.
    /// Throws <see cref="CoordinatorConfigurationException"/> for a bad setting or an unrecognised argument.
    /// </summary>
    public static CoordinatorOptions LoadOptions(ParseResult parseResult) => LoadOptions(Build(Overrides(parseResult)));

    /// <summary>
    /// The verb's <c>--Coordinator:…</c> overrides, ready for <see cref="AddCoordinatorSources(IConfigurationBuilder, string[])"/>
    /// (the daemon host passes them there). Throws <see cref="CoordinatorConfigurationException"/> for any other unknown token.
    /// </summary>
    public static string[] Overrides(ParseResult parseResult)
    {
        var (overrides, rejected) = CommandLineOverrides.Split(parseResult.UnmatchedTokens);
        // A many-valued argument (the bulk verbs' NAME...) takes the settings written after its values: they are settings.
        var fromArguments = parseResult.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .Where(a => a.Argument.Arity.MaximumNumberOfValues > 1)
            .SelectMany(a => CommandLineOverrides.Split(a.Tokens.Select(t => t.Value).ToList()).Overrides);
        overrides = [.. overrides, .. fromArguments];
        if (rejected.Count > 0)
        {
            throw new CoordinatorConfigurationException(
                rejected.Select(t => $"{t}: unrecognised argument (settings are passed as --Coordinator:Name=value)").ToList());
        }
        // --profile, --region and --endpoint-url (the AWS CLI's spelling) are the settings of the same meaning.
        var aws = Cli.CliApplication.AwsOptions
            .Where(o => parseResult.GetResult(o.Option) is not null && parseResult.GetValue(o.Option) is not null)
            .Select(o => $"--{CoordinatorOptions.SectionName}:{o.Setting}={parseResult.GetValue(o.Option)}");
        return [.. overrides, .. aws];
    }
}
