using System.Globalization;
using Coordinator.Model.Documents;
using Coordinator.Model.Units;

namespace Coordinator.Model.Spec.Schema;

/// <summary>Codecs for the scalar field types of the spec.</summary>
public static class ScalarCodecs
{
    public static IValueCodec<string> String { get; } = new StringCodec();
    public static IValueCodec<string?> OptionalString { get; } = new OptionalStringCodec();
    public static IValueCodec<long> Long { get; } = new LongCodec();
    public static IValueCodec<int> Int { get; } = new IntCodec();
    /// <summary>A whole number, or the string "auto" read as <see cref="DispatchSpec.AutoBatchesPerTask"/> (0).</summary>
    public static IValueCodec<int> IntOrAuto { get; } = new IntOrAutoCodec();
    public static IValueCodec<long?> OptionalLong { get; } = new OptionalCodec<long>(new LongCodec());
    public static IValueCodec<double> Double { get; } = new DoubleCodec();
    public static IValueCodec<bool> Bool { get; } = new BoolCodec();
    public static IValueCodec<TimeSpan> Duration { get; } = new DurationCodec();
    public static IValueCodec<TimeSpan?> OptionalDuration { get; } = new OptionalCodec<TimeSpan>(new DurationCodec());
    public static IValueCodec<long?> OptionalSize { get; } = new OptionalCodec<long>(new SizeCodec());

    private sealed class StringCodec : IValueCodec<string>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out string value)
        {
            if (Expect.IsText(node, out value))
            {
                return true;
            }
            ctx.Error(path, node, Expect.Got("a string", "S", node));
            return false;
        }

        public SpecNode? Write(string value) => ScalarNode.String(value);
    }

    private sealed class OptionalStringCodec : IValueCodec<string?>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out string? value)
        {
            var ok = String.TryRead(node, path, ctx, out var text);
            value = ok ? text : null;
            return ok;
        }

        public SpecNode? Write(string? value) => value is null ? null : ScalarNode.String(value);
    }

    private sealed class LongCodec : IValueCodec<long>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out long value)
        {
            value = 0;
            if (!Expect.IsNumeric(node, out var text)
                || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d))
            {
                ctx.Error(path, node, Expect.Got("a number", "N", node));
                return false;
            }
            if (decimal.Truncate(d) != d)
            {
                ctx.Error(path, node, $"expected a whole number, got {text}");
                return false;
            }
            if (d is > long.MaxValue or < long.MinValue)
            {
                ctx.Error(path, node, $"is too large, got {text}");
                return false;
            }
            value = (long)d;
            return true;
        }

        public SpecNode? Write(long value) => ScalarNode.Number(value);
    }

    private sealed class IntCodec : IValueCodec<int>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out int value)
        {
            value = 0;
            if (!Long.TryRead(node, path, ctx, out var l))
            {
                return false;
            }
            if (l is > int.MaxValue or < int.MinValue)
            {
                ctx.Error(path, node, $"is too large, got {l}");
                return false;
            }
            value = (int)l;
            return true;
        }

        public SpecNode? Write(int value) => ScalarNode.Number(value);
    }

    private sealed class IntOrAutoCodec : IValueCodec<int>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out int value)
        {
            if (Expect.IsText(node, out var text) && !(Expect.IsNumeric(node, out _) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                value = DispatchSpec.AutoBatchesPerTask;
                if (text == "auto")
                {
                    return true;
                }
                ctx.Error(path, node, $"expected a whole number or \"auto\", got \"{text}\"");
                return false;
            }
            if (!Int.TryRead(node, path, ctx, out value))
            {
                return false;
            }
            if (value == DispatchSpec.AutoBatchesPerTask)
            {
                ctx.Error(path, node, "must be at least 1, or \"auto\", got 0");
                return false;
            }
            return true;
        }

        public SpecNode? Write(int value) => value == DispatchSpec.AutoBatchesPerTask ? ScalarNode.String("auto") : ScalarNode.Number(value);
    }

    private sealed class DoubleCodec : IValueCodec<double>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out double value)
        {
            value = 0;
            if (Expect.IsNumeric(node, out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                && double.IsFinite(value))
            {
                return true;
            }
            ctx.Error(path, node, Expect.Got("a number", "N", node));
            return false;
        }

        public SpecNode? Write(double value) => ScalarNode.Number(value);
    }

    private sealed class BoolCodec : IValueCodec<bool>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out bool value)
        {
            value = false;
            if (node is ScalarNode { Kind: ScalarKind.Bool or ScalarKind.Plain } s)
            {
                switch (s.Value)
                {
                    case "true" or "True" or "TRUE":
                        value = true;
                        return true;
                    case "false" or "False" or "FALSE":
                        return true;
                }
            }
            ctx.Error(path, node, Expect.Got("true or false", "BOOL", node));
            return false;
        }

        public SpecNode? Write(bool value) => ScalarNode.Bool(value);
    }

    private sealed class DurationCodec : IValueCodec<TimeSpan>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out TimeSpan value)
        {
            value = TimeSpan.Zero;
            string error;
            if (node is ScalarNode { Kind: ScalarKind.Number } n)
            {
                if (decimal.TryParse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                    && Units.Duration.TryFromSeconds(seconds, out value, out error))
                {
                    return true;
                }
                ctx.Error(path, node, $"expected a duration in seconds, got {n.Value}");
                return false;
            }
            if (!Expect.IsText(node, out var text))
            {
                ctx.Error(path, node, Expect.Got("a duration such as 90s, 10m, 24h or 7d", "S", node));
                return false;
            }
            if (Units.Duration.TryParse(text, out value, out error))
            {
                return true;
            }
            ctx.Error(path, node, error);
            return false;
        }

        public SpecNode? Write(TimeSpan value) => ScalarNode.String(Units.Duration.Format(value));
    }

    private sealed class SizeCodec : IValueCodec<long>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out long value)
        {
            value = 0;
            string error;
            if (node is ScalarNode { Kind: ScalarKind.Number } n)
            {
                if (decimal.TryParse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    && ByteSize.TryFromNumber(number, out value, out error))
                {
                    return true;
                }
                ctx.Error(path, node, $"expected a whole number of bytes, got {n.Value}");
                return false;
            }
            if (!Expect.IsText(node, out var text))
            {
                ctx.Error(path, node, Expect.Got("a size such as 64MiB, 2G or 512k", "S", node));
                return false;
            }
            if (ByteSize.TryParse(text, out value, out error))
            {
                return true;
            }
            ctx.Error(path, node, error);
            return false;
        }

        /// <summary>Exact binary multiples read best as <c>64MiB</c>; anything else stays a plain byte count.</summary>
        public SpecNode? Write(long value)
        {
            var text = ByteSize.Format(value);
            return char.IsAsciiDigit(text[^1]) ? ScalarNode.Number(value) : ScalarNode.String(text);
        }
    }

    private sealed class OptionalCodec<T>(IValueCodec<T> inner) : IValueCodec<T?>
        where T : struct
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out T? value)
        {
            var ok = inner.TryRead(node, path, ctx, out var v);
            value = ok ? v : null;
            return ok;
        }

        public SpecNode? Write(T? value) => value is { } v ? inner.Write(v) : null;
    }
}
