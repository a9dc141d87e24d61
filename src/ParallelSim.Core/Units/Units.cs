namespace ParallelSim.Core.Units;

/// <summary>A quantity of memory in bytes. Capacity is shown in GiB (2^30 bytes).</summary>
public readonly record struct Bytes(double Value) : IComparable<Bytes>
{
    public const double BytesPerGiB = 1024.0 * 1024.0 * 1024.0;
    public static Bytes Zero => new(0);
    public static Bytes FromGiB(double gib) => new(gib * BytesPerGiB);
    public static Bytes FromGB(double gb) => new(gb * 1e9);
    public double GiB => Value / BytesPerGiB;
    public double GB => Value / 1e9;
    public static Bytes operator +(Bytes a, Bytes b) => new(a.Value + b.Value);
    public static Bytes operator -(Bytes a, Bytes b) => new(a.Value - b.Value);
    public static Bytes operator *(Bytes a, double k) => new(a.Value * k);
    public static Bytes operator *(double k, Bytes a) => new(a.Value * k);
    public static Bytes operator /(Bytes a, double k) => new(a.Value / k);
    public static Seconds operator /(Bytes a, BytesPerSecond r) => new(a.Value / r.Value);
    public static bool operator <(Bytes a, Bytes b) => a.Value < b.Value;
    public static bool operator >(Bytes a, Bytes b) => a.Value > b.Value;
    public static bool operator <=(Bytes a, Bytes b) => a.Value <= b.Value;
    public static bool operator >=(Bytes a, Bytes b) => a.Value >= b.Value;
    public int CompareTo(Bytes other) => Value.CompareTo(other.Value);
    public static Bytes Max(Bytes a, Bytes b) => a.Value >= b.Value ? a : b;
}

/// <summary>A rate of data movement in bytes per second. Shown in decimal GB/s (1e9 bytes/s).</summary>
public readonly record struct BytesPerSecond(double Value)
{
    public static BytesPerSecond FromGBps(double gbps) => new(gbps * 1e9);
    /// <summary>From a network line rate in gigabits per second (e.g. 200 Gb/s InfiniBand HDR = 25 GB/s).</summary>
    public static BytesPerSecond FromGbitps(double gbitps) => new(gbitps * 1e9 / 8);
    public double GBps => Value / 1e9;
    public static BytesPerSecond operator *(BytesPerSecond a, double k) => new(a.Value * k);
}

/// <summary>A duration in seconds.</summary>
public readonly record struct Seconds(double Value) : IComparable<Seconds>
{
    public static Seconds Zero => new(0);
    public static Seconds FromMicroseconds(double us) => new(us * 1e-6);
    public double Milliseconds => Value * 1e3;
    public static Seconds operator +(Seconds a, Seconds b) => new(a.Value + b.Value);
    public static Seconds operator -(Seconds a, Seconds b) => new(a.Value - b.Value);
    public static Seconds operator *(Seconds a, double k) => new(a.Value * k);
    public static Seconds operator *(double k, Seconds a) => new(a.Value * k);
    public static Seconds operator /(Seconds a, double k) => new(a.Value / k);
    public static bool operator <(Seconds a, Seconds b) => a.Value < b.Value;
    public static bool operator >(Seconds a, Seconds b) => a.Value > b.Value;
    public static bool operator <=(Seconds a, Seconds b) => a.Value <= b.Value;
    public static bool operator >=(Seconds a, Seconds b) => a.Value >= b.Value;
    public int CompareTo(Seconds other) => Value.CompareTo(other.Value);
    public static Seconds Max(Seconds a, Seconds b) => a.Value >= b.Value ? a : b;
    public static Seconds Min(Seconds a, Seconds b) => a.Value <= b.Value ? a : b;
}

/// <summary>A count of floating-point operations (multiply and add count as two).</summary>
public readonly record struct Flops(double Value)
{
    public static Flops Zero => new(0);
    public static Flops operator +(Flops a, Flops b) => new(a.Value + b.Value);
    public static Flops operator *(Flops a, double k) => new(a.Value * k);
    public static Flops operator *(double k, Flops a) => new(a.Value * k);
    public static Flops operator /(Flops a, double k) => new(a.Value / k);
    public static Seconds operator /(Flops a, FlopsPerSecond r) => new(a.Value / r.Value);
}

/// <summary>A compute rate in FLOP/s. Shown in TFLOP/s (1e12).</summary>
public readonly record struct FlopsPerSecond(double Value)
{
    public static FlopsPerSecond FromTflops(double tflops) => new(tflops * 1e12);
    public double Tflops => Value / 1e12;
    public static FlopsPerSecond operator *(FlopsPerSecond a, double k) => new(a.Value * k);
}
