using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Stack;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// The software-stack flags: --stack names a profile (configs/stacks/ or a JSON file), and --framework, --attention, --overlap,
/// --dropout, --precision and --flash-attention override its parts one by one.
/// </summary>
public sealed class StackOptions
{
    public readonly Option<string?> Stack = new("--stack") { Description = $"Software stack: a name in configs/stacks/ or a profile JSON (e.g. from `calibrate stack`) [default: {Catalog.DefaultStack}]" };
    public readonly Option<string?> Framework = new("--framework") { Description = "megatron|megatron-deepspeed|deepspeed|fsdp|torch: how DP and ZeRO traffic is issued and overlapped [default: the stack's]" };
    public readonly Option<string?> Attention = new("--attention") { Description = "unfused|flash-triton|flash2|flash3|cudnn: the attention kernel, its published speed per GPU generation [default: the stack's]" };
    public readonly Option<string?> Overlap = new("--overlap") { Description = "Overlap data-parallel and ZeRO communication with compute (yes|no) [default: the stack's]" };

    public IEnumerable<Option> All => [Stack, Framework, Attention, Overlap];

    /// <summary>
    /// The stack from the flags, with the plan-level overrides (precision, flash attention, dropout, gradient-reduce overlap)
    /// applied by the caller. Problems are added to the list.
    /// </summary>
    public StackSpec Bind(ParseResult r, Catalog catalog, List<string> problems, string? defaultStack = null)
    {
        StackSpec stack;
        try { stack = catalog.Stack(r.GetValue(Stack) ?? defaultStack ?? Catalog.DefaultStack); }
        catch (UserInputException e) { problems.AddRange(e.Problems.Select(p => p.StartsWith("unknown stack", StringComparison.Ordinal) ? "--stack: " + p : p)); stack = StackSpec.Reference; }
        if (r.GetValue(Framework) is string f)
        {
            if (StackNames.Frameworks.TryGetValue(f, out var fw)) stack = FrameworkBehaviour.Apply(stack, fw);
            else problems.Add($"--framework '{f}' is not valid (valid: {string.Join(", ", StackNames.Frameworks.Keys)})");
        }
        if (r.GetValue(Attention) is string a)
        {
            if (StackNames.Attention.TryGetValue(a, out var k)) stack = catalog.WithAttention(stack, k);
            else problems.Add($"--attention '{a}' is not valid (valid: {string.Join(", ", StackNames.Attention.Keys)})");
        }
        if (YesNo(r, Overlap, problems) is bool o) stack = stack with { Overlap = o };
        return stack;
    }

    /// <summary>yes|no (also true|false); anything else is a problem naming the flag and the value.</summary>
    public static bool? YesNo(ParseResult r, Option<string?> option, List<string> problems)
    {
        string? v = r.GetValue(option);
        if (v is null) return null;
        if (Readers.YesNo.Parse(v) is bool b) return b;
        problems.Add($"{option.Name} '{v}' is not valid (valid: yes, no)");
        return null;
    }

    /// <summary>
    /// --precision: a bookkeeping policy (megatron, zero, torch-amp, bf16), or fp16: Megatron's mixed precision with fp16 GEMMs and
    /// loss scaling (the bytes per parameter of the megatron policy; fp16 and bf16 share the tensor-core peak).
    /// </summary>
    public static StackSpec WithPrecision(StackSpec stack, string value, List<string> problems, string flag = "--precision")
    {
        if (string.Equals(value, "fp16", StringComparison.OrdinalIgnoreCase)) return stack with { Precision = PrecisionPolicy.Megatron, Dtype = ComputeDtype.Fp16 };
        if (ScheduleNames.Precision.TryGetValue(value, out var p)) return stack with { Precision = p, Dtype = ComputeDtype.Bf16 };
        problems.Add($"{flag} '{value}' is not valid (valid: {string.Join(", ", ScheduleNames.Precision.Keys)}, fp16)");
        return stack;
    }
}
