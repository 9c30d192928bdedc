using System.Text;
using Coordinator.Model.Documents;
using Coordinator.Model.Errors;
using Coordinator.Model.Loading;
using Coordinator.Testing.Generators;
using CsCheck;
using Xunit.Abstractions;

namespace Coordinator.Model.Tests.Loading;

/// <summary>
/// Issue 16 hole 6: the YAML loader under property-based fuzzing (CsCheck): random text over YAML's punctuation and the
/// spec's keys, and valid job YAML with characters inserted, deleted or replaced. Nothing may escape but the project's
/// own errors (SpecException would be one; LoadTextAsync returns errors rather than throwing), each error with a
/// message and a path ("(document)" for the whole). A few thousand cases in CI, 100,000 under <c>./test --soak</c>.
/// </summary>
public sealed class YamlLoaderFuzzTests(ITestOutputHelper output)
{
    private static readonly long Cases = Environment.GetEnvironmentVariable("CHAOS_SOAK") is "1" or "true" ? 100_000 : 3_000;

    private static readonly string[] Pieces =
    [
        ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "'", "\"", "#", "&a", "*a", "!!str ", "!!int ", "|", ">", "%YAML 1.2\n", "---\n", "...\n",
        "@", "`", "?", "\n", "\n  ", "\t", " ", "~", "null", "true", "0x1F", "1e400", "-1", "99999999999999999999999", "<<: *a\n",
        "name", "spec", "input", "uri", "format", "batching", "maxRecords", "handler", "command", "output", "retry", "extends",
        "template", "kind", "labels", "timeout", "env", "\\u0000", "\u00e9", "\ud83d\ude00",
    ];

    private static readonly Gen<string> RandomYaml = Gen.OneOf(Gen.OneOfConst(Pieces), Gen.Char.Select(c => c.ToString())).List[0, 60]
        .Select(parts => string.Concat(parts));

    private static readonly Gen<string> MutatedYaml =
        Gen.Select(SpecGenerators.Job.Select(job => YamlWriter.Write(JobDocument.Write(job))), Gen.Int[0, 5000].Array[1, 4], Gen.OneOfConst(Pieces), Gen.Int[0, 2])
            .Select((yaml, positions, piece, how) =>
            {
                var text = new StringBuilder(yaml);
                foreach (var p in positions)
                {
                    var at = text.Length == 0 ? 0 : p % text.Length;
                    switch (how)
                    {
                        case 0:
                            text.Insert(at, piece);
                            break;
                        case 1 when text.Length > 0:
                            text.Remove(at, Math.Min(1 + p % 8, text.Length - at));
                            break;
                        default:
                            if (text.Length > 0)
                            {
                                text[at] = piece[0];
                            }
                            break;
                    }
                }
                return text.ToString();
            });

    /// <summary>Found by the fuzz below (seed 6XqNAZzvZKs2): YamlDotNet's ArgumentException "The current event is of an unsupported type" escaped.</summary>
    [Theory]
    [InlineData("\t: E'%YAML 1.2\n}?b!D}handler][handler {^truel-extendsuri,-8|")]
    [InlineData("a: b\n%YAML 1.2\n")]
    public async Task Yaml_the_parser_cannot_represent_is_a_syntax_error_not_an_exception(string yaml)
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None);

        Assert.Contains(result.Errors, e => e.Message.StartsWith("YAML syntax error", StringComparison.Ordinal));
    }

    [Fact]
    public void The_yaml_loader_returns_errors_with_a_path_and_lets_nothing_else_escape()
    {
        var loader = new JobLoader(InMemoryTemplateSource.Empty);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var cases = 0L;
        var invalid = 0L;
        Gen.OneOf(RandomYaml, MutatedYaml).Sample(yaml =>
        {
            Interlocked.Increment(ref cases);
            LoadResult result;
            try
            {
                result = loader.LoadTextAsync(yaml, [], CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (SpecException)
            {
                return; // the project's own error type
            }
            if (!result.IsValid)
            {
                Interlocked.Increment(ref invalid);
            }
            foreach (var error in result.Errors)
            {
                Assert.NotNull(error.Path);
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"an error without a message at {error.Path}");
                lock (paths)
                {
                    paths.Add(System.Text.RegularExpressions.Regex.Replace(error.Path, @"\[\d+\]", "[]"));
                }
            }
        }, iter: Cases);
        output.WriteLine($"FIGURE YamlLoaderFuzzTests: cases={cases} invalid={invalid} distinctErrorPaths={paths.Count} paths={string.Join(", ", paths.Order(StringComparer.Ordinal).Take(60))}");
    }
}
