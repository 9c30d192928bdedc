using System.Text.RegularExpressions;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// An expected message is exact text, except that "{any}" stands for text the test cannot know in advance (a sha256
/// of bytes the daemon computed). Everything else, punctuation included, must match character for character.
/// </summary>
public static class MessagePattern
{
    public const string Any = "{any}";

    public static bool Matches(string expected, string actual) => expected.Contains(Any, StringComparison.Ordinal)
        ? Regex.IsMatch(actual, "^" + string.Join(".*?", expected.Split(Any).Select(Regex.Escape)) + "$", RegexOptions.Singleline, TimeSpan.FromSeconds(1))
        : expected == actual;
}
