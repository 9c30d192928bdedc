using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Coordinator.Data.Formats;

/// <summary>
/// One vectorised pass over a block of complete JSONL lines: counts the lines and tells whether every one of them is
/// "plain", i.e. raw mode may copy it as it is: no CR or tab anywhere, and no line that is empty or starts with a space,
/// tab or CR (the candidates for the blank-line policy). Such blocks skip the per-line path.
/// </summary>
public static class PlainLineBlock
{
    /// <summary>
    /// The number of lines in <paramref name="block"/> (which must end in LF), or -1 when some line is not plain.
    /// </summary>
    public static int CountPlainLines(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty || IsSpecialStart(block[0]))
            return -1;
        var count = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && block.Length > Vector256<byte>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(block);
            var lf = Vector256.Create((byte)'\n');
            var cr = Vector256.Create((byte)'\r');
            var tab = Vector256.Create((byte)'\t');
            var space = Vector256.Create((byte)' ');
            // v = bytes [i, i+32), next = bytes [i+1, i+33): a LF in v followed by LF/space/tab starts a non-plain line.
            for (; i + Vector256<byte>.Count < block.Length; i += Vector256<byte>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                var next = Vector256.LoadUnsafe(ref Unsafe.Add(ref start, 1), (nuint)i);
                var isLf = Vector256.Equals(v, lf);
                var bad = Vector256.Equals(v, cr) | Vector256.Equals(v, tab)
                    | (isLf & (Vector256.Equals(next, lf) | Vector256.Equals(next, space) | Vector256.Equals(next, tab)));
                if (bad != Vector256<byte>.Zero)
                    return -1;
                count += BitOperations.PopCount(isLf.ExtractMostSignificantBits());
            }
        }
        for (; i < block.Length; i++)
        {
            var b = block[i];
            if (b is (byte)'\r' or (byte)'\t')
                return -1;
            if (b == (byte)'\n')
            {
                count++;
                if (i + 1 < block.Length && IsSpecialStart(block[i + 1]))
                    return -1;
            }
        }
        return count;
    }

    private static bool IsSpecialStart(byte b) => b is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t';
}
