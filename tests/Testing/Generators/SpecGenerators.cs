using Coordinator.Model.Spec;
using CsCheck;

namespace Coordinator.Testing.Generators;

/// <summary>
/// CsCheck generators of valid jobs: every value inside the validator's rules, strings drawn from a set that includes
/// YAML's awkward characters (quotes, colons, hashes, newlines, non-ASCII) so the writers' quoting is exercised.
/// </summary>
public static class SpecGenerators
{
    private const string Awkward = "abcxyz019 -_:#'\"\\\n\t{}[],&*!|>%@`éü日本";

    public static readonly Gen<string> Text = Gen.Char[Awkward].Array[0, 12].Select(c => new string(c));

    public static readonly Gen<string> NonBlankText = Text.Select(Gen.Char["abz09_/.-"], (t, c) => c + t);

    /// <summary>Valid job names: DNS labels (a '-' at either end is turned into an 'a').</summary>
    public static readonly Gen<string> Name = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[1, 63].Select(DnsLabel);

    private static string DnsLabel(char[] c)
    {
        c[0] = c[0] == '-' ? 'a' : c[0];
        c[^1] = c[^1] == '-' ? 'a' : c[^1];
        return new string(c);
    }

    private static readonly Gen<string> Identifier =
        Gen.Select(Gen.Char["ABCXYZ_"], Gen.Char["ABC_019xyz"].Array[0, 10], (h, t) => h + new string(t));

    private static readonly Gen<string> Word = Gen.Char["abcxyz019_.-"].Array[1, 16].Select(c => new string(c));

    private static readonly Gen<TimeSpan> PositiveDuration = Gen.Long[1, 10L * 365 * 24 * 3600 * 1000].Select(TimeSpan.FromMilliseconds);

    private static readonly Gen<string> Uri = Gen.Select(
        Gen.Bool, Gen.Char["abcxyz019-"].Array[3, 20], Word.Select(w => "s" + w).Array[0, 4], Gen.Bool,
        (s3, bucket, segments, trailing) =>
        {
            var path = string.Join('/', segments) + (trailing && segments.Length > 0 ? "/" : "");
            return s3
                ? $"s3://a{new string(bucket)}z/{path}"
                : $"file:///{(path.Length == 0 ? "data" : path)}";
        });

    private static readonly Gen<Dictionary<string, string>> Env =
        Gen.Select(Identifier, Text).Array[0, 4].Select(pairs => pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));

    private static readonly Gen<Dictionary<string, string>> Labels =
        Gen.Select(Word.Select(w => "k" + w + "k"), Word).Array[0, 3].Select(pairs => pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));

    private static readonly Gen<InputSpec> Input = Gen.Select(Uri, Gen.Enum<InputFormat>(), Gen.Char[",;|\t"], Gen.Bool, Gen.Bool,
        (uri, format, delimiter, header, validate) => new InputSpec
        {
            Uri = uri, Format = format, Csv = new CsvOptions { Delimiter = delimiter.ToString(), Header = header }, Validate = validate,
        });

    private static readonly Gen<BatchingSpec> Batching = Gen.Select(Gen.Long[1, long.MaxValue / 2].Nullable(0.3), Gen.Long[1, 1L << 50].Nullable(0.3), Gen.Bool,
        (records, bytes, pickRecords) => new BatchingSpec
        {
            MaxRecords = records ?? (bytes is null ? 1000 : null),
            MaxBytes = bytes,
        });

    private static readonly Gen<HandlerSpec> Handler = Gen.Select(NonBlankText.Array[1, 4], Gen.Enum<HandlerMode>(), PositiveDuration, Env,
        (command, mode, timeout, env) => new HandlerSpec { Command = [.. command], Mode = mode, Timeout = timeout, Env = env });

    private static readonly Gen<OutputSpec> Output = Gen.Select(Uri, Gen.Enum<InputFormat>().Nullable(0.5), Gen.Enum<AggregateMode>(),
        (uri, format, aggregate) => new OutputSpec { Uri = uri, Format = format, Aggregate = aggregate });

    private static readonly Gen<SlurmSpec> Slurm = Gen.Select(
        Word.Null(0.5), Gen.Int[1, 4096], Gen.Select(Gen.Int[1, 100000], Gen.Char["KMGT"].Nullable(0.3), (n, u) => $"{n}{u}").Null(0.4),
        Gen.OneOfConst("30", "01:00:00", "2-00:00:00", "1-12", "UNLIMITED").Null(0.4), Word.Null(0.7), Word.Null(0.7), Gen.Int[1, 100_000],
        (partition, cpus, memory, time, gres, account, max) => new SlurmSpec
        {
            Partition = partition, CpusPerTask = cpus, Memory = memory, TimeLimit = time, Gres = gres, Account = account, Qos = account, MaxConcurrent = max,
        });

    private static readonly Gen<RetrySpec> Retry = Gen.Select(
        Gen.Int[1, 100], PositiveDuration, Gen.Long[0, 1_000_000_000], Gen.Select(Gen.Enum<RetryAction>(), Gen.Int[0, 255].Array[1, 4]).Array[0, 3],
        (attempts, b, extra, rules) => new RetrySpec
        {
            MaxAttempts = attempts,
            Backoff = new BackoffSpec { Base = b, Max = b + TimeSpan.FromMilliseconds(extra) },
            Rules = [.. rules.Select(r => new RetryRule { Action = r.Item1, OnExitCodes = [.. r.Item2] })],
        });

    public static readonly Gen<JobSpec> Spec = Gen.Select(
        Gen.Select(Input, Batching, Handler, Output),
        Gen.Select(Gen.Enum<DispatchMode>(), Gen.Int[1, 10_000], Slurm, Retry),
        Gen.Select(Gen.Double[0, 100], Gen.Long[0, long.MaxValue], Gen.Bool, PositiveDuration.Nullable(0.5), Gen.Long[0, 1L << 40].Nullable(0.5), Gen.Long[0, 1000]),
        (a, b, c) => new JobSpec
        {
            Input = a.Item1, Batching = a.Item2, Handler = a.Item3,
            // A stdio handler's Parquet output takes the input's schema: only valid with a Parquet input (JobSpecValidator).
            Output = a.Item3.Mode == HandlerMode.Stdio && a.Item4.Format == InputFormat.Parquet && a.Item1.Format != InputFormat.Parquet
                ? new OutputSpec { Uri = a.Item4.Uri, Format = InputFormat.Jsonl, Aggregate = a.Item4.Aggregate }
                : a.Item4,
            Dispatch = new DispatchSpec { Mode = b.Item1, Workers = b.Item2 }, Slurm = b.Item3, Retry = b.Item4,
            FailurePolicy = new FailurePolicySpec { ToleratedFailurePercent = c.Item1, ToleratedFailureCount = c.Item2 },
            Suspend = c.Item3, ActiveDeadline = c.Item4, TtlAfterFinished = c.Item5 is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            RetryGeneration = c.Item6,
        });

    public static readonly Gen<Job> Job = Gen.Select(Name, Labels, Spec,
        (name, labels, spec) => new Job { Name = name, Labels = labels, Spec = spec });
}
