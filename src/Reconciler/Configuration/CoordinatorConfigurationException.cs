using Coordinator.Model.Errors;

namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// The configuration is unusable. <see cref="Exception.Message"/> lists every bad setting on its own line, named by its
/// configuration path (e.g. <c>Coordinator:Bucket</c>), so one run shows the user everything to fix.
/// </summary>
public sealed class CoordinatorConfigurationException : CoordinatorException
{
    public CoordinatorConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public CoordinatorConfigurationException(string message) : base(message) => Errors = [message];

    public CoordinatorConfigurationException(string message, Exception inner) : base(message, inner) => Errors = [message];

    public CoordinatorConfigurationException() : this("Invalid configuration") { }

    /// <summary>One entry per bad setting: "Coordinator:Bucket: must match ...; got \"Bad_Bucket\"".</summary>
    public IReadOnlyList<string> Errors { get; }
}
