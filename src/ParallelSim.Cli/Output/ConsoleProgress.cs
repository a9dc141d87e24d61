using System.Diagnostics;
using System.Globalization;
using ParallelSim.Search;

namespace ParallelSim.Cli.Output;

/// <summary>
/// A one-line progress bar on a terminal (stderr), redrawn at most ten times a second and erased when
/// disposed. Only created when output goes to a terminal, never when it is redirected.
/// </summary>
public sealed class ConsoleProgress(TextWriter terminal) : IProgress<SweepProgress>, IDisposable
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private bool _drawn;

    /// <summary>True when stdout and stderr both go to a terminal.</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public void Report(SweepProgress p)
    {
        lock (_gate)
        {
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastDrawMs < 100 && p.Done < p.Total) return;
            _lastDrawMs = now;
            const int Width = 30;
            double f = p.Total == 0 ? 1 : (double)p.Done / p.Total;
            int filled = (int)Math.Round(f * Width);
            terminal.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{p.Phase,-10} [{new string('#', filled)}{new string('-', Width - filled)}] {f * 100,5:F1}%  {p.Done:N0}/{p.Total:N0}  {now / 1000.0:F1} s  (Ctrl-C stops with the best so far) "));
            terminal.Flush();
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_drawn) { terminal.Write("\r" + new string(' ', 110) + "\r"); terminal.Flush(); }
            _drawn = false;
        }
    }
}
