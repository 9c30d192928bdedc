using System.Text;
using Coordinator.Worker.Handlers;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>The stream-mode framing (docs/runtime.md, "Stream mode") on in-memory streams.</summary>
public sealed class StreamFramingTests
{
    private static readonly StreamRequest Batch3 = new(3, 2, 10, 5);

    private static StreamFrameReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Request_IsOneJsonHeaderLineThenExactlyTheBatchBytes()
    {
        var stdin = new MemoryStream();
        await StreamFraming.WriteRequestAsync(stdin, Batch3, new MemoryStream("a\nb\nc"u8.ToArray()), default);
        Assert.Equal("{\"batch\":3,\"attempt\":2,\"records\":10,\"bytes\":5}\na\nb\nc", Encoding.UTF8.GetString(stdin.ToArray()));
    }

    [Fact]
    public async Task Request_ShorterThanAnnouncedIsAnError()
    {
        var e = await Assert.ThrowsAsync<IOException>(() =>
            StreamFraming.WriteRequestAsync(new MemoryStream(), Batch3, new MemoryStream("abc"u8.ToArray()), default));
        Assert.Contains("3 bytes, not the 5 announced", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_BackToBack_AreReadExactly_EvenWhenTheResultLooksLikeAHeader()
    {
        const string Fake = "{\"batch\":4,\"attempt\":1,\"status\":\"ok\",\"bytes\":0}\nend 4\n";
        var text = $"{{\"batch\":3,\"attempt\":2,\"status\":\"ok\",\"bytes\":{Fake.Length}}}\n{Fake}end 3\n"
            + "{\"batch\":4,\"attempt\":1,\"status\":\"failed\",\"message\":\"bad record 7\"}\r\nend 4\r\n";
        var reader = Reader(text);
        var first = new MemoryStream();
        var one = await reader.ReadResponseAsync(Batch3, first, default);
        Assert.Equal((true, (long)Fake.Length), (one.Ok, one.Bytes));
        Assert.Equal(Fake, Encoding.UTF8.GetString(first.ToArray()));
        var second = new MemoryStream();
        var two = await reader.ReadResponseAsync(new StreamRequest(4, 1, 1, 1), second, default);
        Assert.Equal((false, 0L, "bad record 7"), (two.Ok, two.Bytes, two.Message));
        Assert.Equal(0, second.Length);
        Assert.Null(await reader.ReadLineAsync(default));
    }

    [Theory]
    [InlineData("", "ended before it answered batch 3")]
    [InlineData("not json\n", "is not JSON")]
    [InlineData("[1]\n", "is not a JSON object")]
    [InlineData("{\"batch\":4,\"attempt\":2,\"status\":\"ok\",\"bytes\":0}\nend 4\n", "answers batch 4 attempt 2, but batch 3 attempt 2 was sent")]
    [InlineData("{\"batch\":3,\"attempt\":1,\"status\":\"ok\",\"bytes\":0}\nend 3\n", "answers batch 3 attempt 1, but batch 3 attempt 2 was sent")]
    [InlineData("{\"attempt\":2,\"status\":\"ok\"}\n", "has no integer \"batch\"")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"bytes\":0}\n", "\"status\" missing")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"status\":\"done\",\"bytes\":0}\n", "\"status\" \"done\"")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"status\":\"ok\",\"bytes\":-1}\n", "negative \"bytes\"")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"status\":\"ok\",\"bytes\":10}\nabc", "ended after 3 of the 10 result bytes announced for batch 3")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"status\":\"ok\",\"bytes\":2}\nabc\nend 3\n", "expected the end line \"end 3\" after the 2 result bytes of batch 3, got: c")]
    [InlineData("{\"batch\":3,\"attempt\":2,\"status\":\"ok\",\"bytes\":0}\n", "ended before the end line \"end 3\"")]
    [InlineData("{\"batch\":3,\"attem", "ended in the middle of a line")]
    public async Task Response_ThatBreaksTheFraming_IsAProtocolErrorSayingWhat(string text, string expected)
    {
        var e = await Assert.ThrowsAsync<StreamProtocolException>(() => Reader(text).ReadResponseAsync(Batch3, new MemoryStream(), default));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_HeaderLongerThanTheLimit_IsRefused_NotBuffered()
    {
        var text = new string('x', StreamFraming.MaxHeaderBytes + 10) + "\n";
        var e = await Assert.ThrowsAsync<StreamProtocolException>(() => Reader(text).ReadResponseAsync(Batch3, new MemoryStream(), default));
        Assert.Contains("longer than 65536 bytes where a header was expected", e.Message, StringComparison.Ordinal);
    }
}
