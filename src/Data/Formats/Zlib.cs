using System.Runtime.InteropServices;

namespace Coordinator.Data.Formats;

/// <summary>
/// The few zlib entry points the gzip reader needs, from the system's <c>libz.so.1</c> (Debian's zlib1g is "required"
/// priority, so every node has it). .NET's GZipStream cannot be used for checked multi-member reading: it never says
/// where one member ends, and it ends silently on a truncated member. zlib's inflate in gzip mode stops at each member's
/// end with the unread input left in <see cref="ZStream.AvailIn"/>, after checking that member's CRC32 and ISIZE.
/// </summary>
internal static class Zlib
{
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int NeedDict = 2;
    public const int BufError = -5;
    public const int NoFlush = 0;
    /// <summary>15-bit window + 16: gzip wrapper only (header parsed, CRC32 and ISIZE checked by zlib).</summary>
    public const int GzipWindowBits = 15 + 16;
    private const string Library = "libz.so.1";

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe blocks in this project; the struct is blittable and passed by reference.
    [DllImport(Library, EntryPoint = "inflateInit2_", ExactSpelling = true)]
    private static extern int InflateInit2(ref ZStream stream, int windowBits, [MarshalAs(UnmanagedType.LPStr)] string version, int streamSize);

    [DllImport(Library, EntryPoint = "inflate", ExactSpelling = true)]
    public static extern int Inflate(ref ZStream stream, int flush);

    [DllImport(Library, EntryPoint = "inflateReset", ExactSpelling = true)]
    public static extern int InflateReset(ref ZStream stream);

    [DllImport(Library, EntryPoint = "inflateEnd", ExactSpelling = true)]
    public static extern int InflateEnd(ref ZStream stream);
#pragma warning restore SYSLIB1054

    /// <summary>Initialise <paramref name="stream"/> (which must not move afterwards: zlib keeps its address) for gzip.</summary>
    public static int InflateInitGzip(ref ZStream stream) =>
        // zlib only compares the major version ("1"), and the struct size to catch a mismatched ABI.
        InflateInit2(ref stream, GzipWindowBits, "1.2.11", Marshal.SizeOf<ZStream>());
}

/// <summary>zlib's <c>z_stream</c>; <c>uLong</c> is <see cref="CULong"/> (8 bytes on 64-bit Linux, 4 on Windows).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ZStream
{
    public IntPtr NextIn;
    public uint AvailIn;
    public CULong TotalIn;
    public IntPtr NextOut;
    public uint AvailOut;
    public CULong TotalOut;
    public IntPtr Msg;
    public IntPtr State;
    public IntPtr ZAlloc;
    public IntPtr ZFree;
    public IntPtr Opaque;
    public int DataType;
    public CULong Adler;
    public CULong Reserved;
}
