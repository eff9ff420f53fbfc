namespace NativeIpc.Os;

/// <summary>Non-negative integers as ASCII decimal digits, with no culture: <c>CultureInfo.InvariantCulture</c> (and
/// <c>NumberFormatInfo.InvariantInfo</c>) make the runtime load ICU, three native libraries and ~10 ms, and a child
/// reads and writes such numbers (descriptors, owner ids) before its target, which may need no culture at all.</summary>
internal static class DecimalDigits
{
    /// <summary>Parses ASCII digits (no sign, no spaces) up to <see cref="int.MaxValue"/>; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10) return false;
        long v = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '9') return false;
            v = v * 10 + (c - '0');
        }
        if (v > int.MaxValue) return false;
        value = (int)v;
        return true;
    }

    /// <summary>The digits of <paramref name="value"/>, which must not be negative.</summary>
    public static string Format(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Span<char> digits = stackalloc char[10];
        int start = digits.Length;
        do { digits[--start] = (char)('0' + value % 10); value /= 10; } while (value != 0);
        return new string(digits[start..]);
    }
}
