namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// The v1 job API as data: every section, field name and codec. YAML and DynamoDB items are read and written
/// through this one description, so a field added here is accepted, rejected-with-suggestion, encoded, hashed and
/// documented in the same way everywhere.
/// </summary>
public static class JobSpecSchema
{
    public static EnumCodec<InputFormat> Format { get; } =
        new(("jsonl", InputFormat.Jsonl), ("csv", InputFormat.Csv), ("parquet", InputFormat.Parquet));

    public static EnumCodec<HandlerMode> HandlerModes { get; } = new(("stdio", HandlerMode.Stdio), ("file", HandlerMode.File), ("stream", HandlerMode.Stream));

    public static EnumCodec<AggregateMode> AggregateModes { get; } = new(("concat", AggregateMode.Concat), ("none", AggregateMode.None));

    public static EnumCodec<DispatchMode> DispatchModes { get; } = new(("array", DispatchMode.Array), ("pilot", DispatchMode.Pilot));

    public static EnumCodec<RetryAction> RetryActions { get; } = new(
        ("FailJob", RetryAction.FailJob), ("FailBatch", RetryAction.FailBatch), ("Ignore", RetryAction.Ignore), ("Count", RetryAction.Count));

    public static SectionSchema<CsvOptions> Csv { get; } = new(
        new ValueField<CsvOptions, string>("delimiter", o => o.Delimiter, (o, v) => o.Delimiter = v, ScalarCodecs.String),
        new ValueField<CsvOptions, bool>("header", o => o.Header, (o, v) => o.Header = v, ScalarCodecs.Bool));

    public static SectionSchema<InputSpec> Input { get; } = new(
        new ValueField<InputSpec, string>("uri", o => o.Uri, (o, v) => o.Uri = v, ScalarCodecs.String),
        new ValueField<InputSpec, InputFormat>("format", o => o.Format, (o, v) => o.Format = v, Format),
        new SectionField<InputSpec, CsvOptions>("csv", o => o.Csv, Csv),
        // Added after v1 shipped: its default is left out of the written spec so that every stored job keeps its hash.
        new ValueField<InputSpec, bool>("validate", o => o.Validate, (o, v) => o.Validate = v,
            new DefaultOmittedCodec<bool>(ScalarCodecs.Bool, JobSpecDefaults.InputValidate)));

    public static SectionSchema<BatchingSpec> Batching { get; } = new(
        new ValueField<BatchingSpec, long?>("maxRecords", o => o.MaxRecords, (o, v) => o.MaxRecords = v, ScalarCodecs.OptionalLong),
        new ValueField<BatchingSpec, long?>("maxBytes", o => o.MaxBytes, (o, v) => o.MaxBytes = v, ScalarCodecs.OptionalSize));

    public static SectionSchema<HandlerSpec> Handler { get; } = new(
        new ValueField<HandlerSpec, List<string>>("command", o => o.Command, (o, v) => o.Command = v,
            new ListCodec<string>(ScalarCodecs.String, "a list of strings (argv)", ordered: true)),
        new ValueField<HandlerSpec, HandlerMode>("mode", o => o.Mode, (o, v) => o.Mode = v, HandlerModes),
        new ValueField<HandlerSpec, TimeSpan>("timeout", o => o.Timeout, (o, v) => o.Timeout = v, ScalarCodecs.Duration),
        new ValueField<HandlerSpec, Dictionary<string, string>>("env", o => o.Env, (o, v) => o.Env = v,
            new StringMapCodec("a map of environment variables")),
        new ValueField<HandlerSpec, List<string>>("inheritEnv", o => o.InheritEnv, (o, v) => o.InheritEnv = v,
            new EmptyOmittedCodec<string>(new ListCodec<string>(ScalarCodecs.String, "a list of variable names or globs", ordered: true))),
        new ValueField<HandlerSpec, string?>("workingDirectory", o => o.WorkingDirectory, (o, v) => o.WorkingDirectory = v, ScalarCodecs.OptionalString));

    public static SectionSchema<OutputSpec> Output { get; } = new(
        new ValueField<OutputSpec, string>("uri", o => o.Uri, (o, v) => o.Uri = v, ScalarCodecs.String),
        new ValueField<OutputSpec, InputFormat?>("format", o => o.Format, (o, v) => o.Format = v, new OptionalEnumCodec<InputFormat>(Format)),
        new ValueField<OutputSpec, AggregateMode>("aggregate", o => o.Aggregate, (o, v) => o.Aggregate = v, AggregateModes));

    public static SectionSchema<DispatchSpec> Dispatch { get; } = new(
        new ValueField<DispatchSpec, DispatchMode>("mode", o => o.Mode, (o, v) => o.Mode = v, DispatchModes),
        new ValueField<DispatchSpec, int>("workers", o => o.Workers, (o, v) => o.Workers = v, ScalarCodecs.Int),
        new ValueField<DispatchSpec, int>("batchesPerTask", o => o.BatchesPerTask, (o, v) => o.BatchesPerTask = v,
            new DefaultOmittedCodec<int>(ScalarCodecs.IntOrAuto, JobSpecDefaults.BatchesPerTask)));

    public static SectionSchema<SlurmSpec> Slurm { get; } = new(
        new ValueField<SlurmSpec, string?>("partition", o => o.Partition, (o, v) => o.Partition = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, int>("cpusPerTask", o => o.CpusPerTask, (o, v) => o.CpusPerTask = v, ScalarCodecs.Int),
        new ValueField<SlurmSpec, string?>("memory", o => o.Memory, (o, v) => o.Memory = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, string?>("timeLimit", o => o.TimeLimit, (o, v) => o.TimeLimit = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, string?>("gres", o => o.Gres, (o, v) => o.Gres = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, string?>("account", o => o.Account, (o, v) => o.Account = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, string?>("qos", o => o.Qos, (o, v) => o.Qos = v, ScalarCodecs.OptionalString),
        new ValueField<SlurmSpec, int>("maxConcurrent", o => o.MaxConcurrent, (o, v) => o.MaxConcurrent = v, ScalarCodecs.Int));

    public static SectionSchema<BackoffSpec> Backoff { get; } = new(
        new ValueField<BackoffSpec, TimeSpan>("base", o => o.Base, (o, v) => o.Base = v, ScalarCodecs.Duration),
        new ValueField<BackoffSpec, TimeSpan>("max", o => o.Max, (o, v) => o.Max = v, ScalarCodecs.Duration));

    public static SectionSchema<RetryRule> Rule { get; } = new(
        new ValueField<RetryRule, RetryAction>("action", o => o.Action, (o, v) => o.Action = v, RetryActions, required: true),
        new ValueField<RetryRule, List<int>>("onExitCodes", o => o.OnExitCodes, (o, v) => o.OnExitCodes = v,
            new ListCodec<int>(ScalarCodecs.Int, "a list of exit codes"), required: true));

    public static SectionSchema<RetrySpec> Retry { get; } = new(
        new ValueField<RetrySpec, int>("maxAttempts", o => o.MaxAttempts, (o, v) => o.MaxAttempts = v, ScalarCodecs.Int),
        new ValueField<RetrySpec, int>("maxDisruptions", o => o.MaxDisruptions, (o, v) => o.MaxDisruptions = v, ScalarCodecs.Int),
        new SectionField<RetrySpec, BackoffSpec>("backoff", o => o.Backoff, Backoff),
        new ValueField<RetrySpec, List<RetryRule>>("rules", o => o.Rules, (o, v) => o.Rules = v,
            new SectionListCodec<RetryRule>(Rule, "a list of rules")));

    public static SectionSchema<FailurePolicySpec> FailurePolicy { get; } = new(
        new ValueField<FailurePolicySpec, double>("toleratedFailurePercent", o => o.ToleratedFailurePercent,
            (o, v) => o.ToleratedFailurePercent = v, ScalarCodecs.Double),
        new ValueField<FailurePolicySpec, long>("toleratedFailureCount", o => o.ToleratedFailureCount,
            (o, v) => o.ToleratedFailureCount = v, ScalarCodecs.Long));

    public static SectionSchema<JobSpec> Spec { get; } = new(
        new ValueField<JobSpec, string?>("template", o => o.Template, (o, v) => o.Template = v, ScalarCodecs.OptionalString),
        new SectionField<JobSpec, InputSpec>("input", o => o.Input, Input),
        new SectionField<JobSpec, BatchingSpec>("batching", o => o.Batching, Batching),
        new SectionField<JobSpec, HandlerSpec>("handler", o => o.Handler, Handler),
        new SectionField<JobSpec, OutputSpec>("output", o => o.Output, Output),
        new SectionField<JobSpec, DispatchSpec>("dispatch", o => o.Dispatch, Dispatch),
        new SectionField<JobSpec, SlurmSpec>("slurm", o => o.Slurm, Slurm),
        new SectionField<JobSpec, RetrySpec>("retry", o => o.Retry, Retry),
        new SectionField<JobSpec, FailurePolicySpec>("failurePolicy", o => o.FailurePolicy, FailurePolicy),
        new ValueField<JobSpec, bool>("suspend", o => o.Suspend, (o, v) => o.Suspend = v, ScalarCodecs.Bool),
        new ValueField<JobSpec, TimeSpan?>("activeDeadline", o => o.ActiveDeadline, (o, v) => o.ActiveDeadline = v, ScalarCodecs.OptionalDuration),
        new ValueField<JobSpec, TimeSpan?>("ttlAfterFinished", o => o.TtlAfterFinished, (o, v) => o.TtlAfterFinished = v, ScalarCodecs.OptionalDuration),
        new ValueField<JobSpec, long>("retryGeneration", o => o.RetryGeneration, (o, v) => o.RetryGeneration = v, ScalarCodecs.Long));

    /// <summary>Binds a spec tree (rooted at <paramref name="path"/>, normally "spec") to a fresh JobSpec.</summary>
    public static JobSpec Bind(Documents.SpecNode node, BindContext ctx, string path = "spec")
    {
        var spec = new JobSpec();
        Spec.Read(node, spec, path, ctx);
        return spec;
    }

    /// <summary>The complete tree of a spec, defaults written out explicitly.</summary>
    public static Documents.MapNode Write(JobSpec spec) => Spec.Write(spec);
}
