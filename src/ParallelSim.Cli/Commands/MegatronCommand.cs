using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Stack;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim megatron -- ARGS...` or `--file launch.sh`: says what each argument of a Megatron-LM launch
/// line means and how it enters the simulation, reports what it does not know, then simulates the run.
/// </summary>
public static class MegatronCommand
{
    public static Command Create()
    {
        var words = new Argument<string[]>("args") { Description = "the launch line after `--` (torchrun ... pretrain_gpt.py --num-layers ...)", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string?>("--file") { Description = "a shell script holding the launch line" };
        var gpu = new Option<string?>("--gpu") { Description = "GPU type of the nodes; alone it picks that GPU's usual node type" };
        var cluster = new Option<string?>("--cluster") { Description = $"node type [default: {PlanOptions.DefaultCluster}]" };
        var format = new Option<string>("--format") { Description = "table|markdown|json", DefaultValueFactory = _ => "table" };
        var stackOption = new Option<string?>("--stack") { Description = $"Software stack whose kernels and collectives time the run (configs/stacks name or profile JSON); the launch line's precision, flash attention, dropout and overlap flags still apply [default: {Catalog.DefaultStack}]" };
        var cmd = new Command("megatron", "Explain and simulate a Megatron-LM launch line (pretrain_gpt.py arguments, torchrun world size)")
        { words, file, gpu, cluster, format, stackOption };
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            if (fmt == OutputFormat.Csv) throw new UserInputException("--format csv is not valid for megatron (valid: table, markdown, json)");
            var catalog = Catalog.Default;
            string? path = r.GetValue(file);
            var given = r.GetValue(words) ?? [];
            if (path is not null && given.Length > 0) throw new UserInputException("give the launch line after `--` or with --file, not both");
            IReadOnlyList<string> line;
            if (path is not null)
            {
                line = MegatronArgs.Words(InputFile.Read(path, "launch file"));
            }
            else line = MegatronArgs.Words(string.Join(' ', given.Select(Quote)));
            if (line.Count == 0) throw new UserInputException("no launch line: give it after `--` (parallelsim megatron -- torchrun ...) or with --file");

            string? clusterName = r.GetValue(cluster), gpuName = r.GetValue(gpu);
            var node = catalog.Node(clusterName ?? (gpuName is not null ? catalog.Gpu(gpuName).DefaultNode : PlanOptions.DefaultCluster));
            var launch = MegatronLaunch.Interpret(line, node);
            var stack = catalog.Stack(r.GetValue(stackOption) ?? Catalog.DefaultStack);
            var named = stack;
            if (launch.Plan is { } lp)
            {
                // the launch line states its precision, attention kernel family, dropout and overlap; the stack times the rest
                if (lp.FlashAttention != stack.FlashAttention)
                    stack = catalog.WithAttention(stack, lp.FlashAttention ? Core.Stack.AttentionKernel.Flash2 : Core.Stack.AttentionKernel.Unfused);
                var dtype = launch.Arguments.Any(a => a.Argument == "--fp16") ? Core.Stack.ComputeDtype.Fp16 : Core.Stack.ComputeDtype.Bf16;
                stack = stack with { Precision = lp.Precision, Dtype = dtype, Dropout = launch.Costs.Dropout, Overlap = launch.Costs.OverlapGradReduce };
                var changed = new List<string>();
                if (named.Attention != stack.Attention) changed.Add($"attention {StackNames.Name(named.Attention)} -> {StackNames.Name(stack.Attention)}");
                if (named.Precision != stack.Precision) changed.Add($"precision {Core.Parallelism.ScheduleNames.Name(named.Precision)} -> {Core.Parallelism.ScheduleNames.Name(stack.Precision)}");
                if (named.Dtype != stack.Dtype) changed.Add($"dtype {StackNames.Name(named.Dtype)} -> {StackNames.Name(stack.Dtype)}");
                if (named.Dropout != stack.Dropout) changed.Add($"dropout {(named.Dropout ? "on" : "off")} -> {(stack.Dropout ? "on" : "off")}");
                if (named.Overlap != stack.Overlap) changed.Add($"overlap {(named.Overlap ? "on" : "off")} -> {(stack.Overlap ? "on" : "off")}");
                var notes = launch.Notes.ToList();
                if (changed.Count > 0) notes.Add($"the launch line's flags set parts of stack {stack.Name}: {string.Join(", ", changed)}");
                launch = launch with { Costs = launch.Costs with { Stack = stack }, Notes = notes };
            }
            var output = r.InvocationConfiguration.Output;
            foreach (var u in launch.Unknown) r.InvocationConfiguration.Error.WriteLine($"warning: unknown argument {u}: not simulated");
            if (fmt == OutputFormat.Json)
            {
                if (launch.Problems.Count > 0) throw new UserInputException(launch.Problems);
                var sim = Evaluator.Evaluate(launch.Model!, launch.Cluster!, launch.Plan!, launch.Costs);
                var json = new JsonObject
                {
                    ["arguments"] = new JsonArray(launch.Arguments.Select(a => (JsonNode)new JsonObject
                    { ["argument"] = a.Argument, ["value"] = a.Value, ["status"] = a.Status, ["meaning"] = a.Meaning, ["effect"] = a.Effect }).ToArray()),
                    ["unknown"] = new JsonArray(launch.Unknown.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
                    ["notes"] = new JsonArray(launch.Notes.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
                    ["simulation"] = SimulationReport.Json(sim),
                };
                output.Write(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                return 0;
            }
            var table = new TextTable($"Megatron-LM launch line ({launch.Arguments.Count} arguments, {launch.Unknown.Count} unknown)",
                "argument", "value", "status", "meaning", "in the simulation");
            foreach (var a in launch.Arguments) table.Add(a.Argument, a.Value, a.Status, a.Meaning, a.Effect);
            output.Write(table.Render(fmt));
            foreach (var n in launch.Notes) output.WriteLine($"note: {n}");
            if (launch.Unknown.Count > 0) output.WriteLine($"unknown (reported, not simulated): {string.Join(", ", launch.Unknown)}");
            output.WriteLine();
            if (launch.Problems.Count > 0) throw new UserInputException(launch.Problems);
            output.Write(SimulationReport.Render(Evaluator.Evaluate(launch.Model!, launch.Cluster!, launch.Plan!, launch.Costs), fmt));
            return 0;
        });
        return cmd;
    }

    /// <summary>Arguments arrive already split by the shell; quote those with spaces so the word splitter keeps them whole.</summary>
    private static string Quote(string w) => w.Any(char.IsWhiteSpace) ? "'" + w.Replace("'", "") + "'" : w;
}
