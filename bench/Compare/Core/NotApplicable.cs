namespace NativeIpc.Compare.Core;

/// <summary>A row that does not apply to a system by design (not a gap to fill): reports <paramref name="why"/>.</summary>
internal sealed class NotApplicable(string name, string why) : IWorkload
{
    public string Name => name;

    public Measurement Run(Settings settings) => Measurement.Missing(why);
}
