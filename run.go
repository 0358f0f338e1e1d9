package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/experiments/aldp/aldpeval"
	"github.com/naas-go/naas/experiments/atomicfile"
	"github.com/naas-go/naas/experiments/npy"
	"github.com/naas-go/naas/experiments/plots"
	"github.com/naas-go/naas/experiments/targets"
	"github.com/naas-go/naas/graph"
	"github.com/naas-go/naas/models"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// runAction trains, evaluates and writes a run folder (or resumes one with --resume).
func runAction(c *cli.Context) error {
	if c.Args().Present() {
		var names []string
		for _, cmd := range c.App.Commands {
			if !cmd.Hidden && cmd.Name != "help" {
				names = append(names, cmd.Name)
			}
		}
		return fmt.Errorf("unexpected argument %q; commands: %s (see --help)", c.Args().First(), strings.Join(names, ", "))
	}
	quiet := c.Bool("quiet")
	logf := func(format string, a ...any) {
		if !quiet {
			fmt.Fprintf(os.Stderr, format, a...)
		}
	}
	var (
		smp     *experiments.Sampler
		dir     string
		history []dynamics.EpochInfo
		err     error
	)
	selectBy := c.String("select-by")
	if err := experiments.CheckCriterion(selectBy); err != nil {
		return err
	}
	if dir = c.String("resume"); dir != "" {
		for _, st := range settings() {
			if n := st.flag.Names()[0]; c.IsSet(n) {
				return fmt.Errorf("--resume uses the run's recorded settings; --%s cannot change them", n)
			}
		}
		// the criterion of best/ is the one the run started with (ELBO for runs recorded
		// before --select-by existed)
		recorded := recordedCriterion(dir)
		if c.IsSet("select-by") && selectBy != recorded {
			return fmt.Errorf("--resume keeps the run's selection criterion %q (config.json); --select-by %s cannot change it", recorded, selectBy)
		}
		selectBy = recorded
		if smp, history, err = resumeRun(dir); err != nil {
			return err
		}
		logf("resuming %s at epoch %d of %d\n", dir, smp.Trainer.Epoch, smp.Trainer.Cfg.TotalEpochs())
	} else {
		s, err := resolveSettings(c)
		if err != nil {
			return err
		}
		// build first: every bad setting is reported before anything is written
		if smp, err = experiments.Build(s); err != nil {
			return err
		}
		name := c.String("name")
		if name == "" {
			name = fmt.Sprintf("%s-seed%d-%s", s.Experiment, s.Seed, time.Now().UTC().Format("20060102-150405"))
		}
		dir = filepath.Join(c.String("out"), name)
		if err := newRunFolder(dir, s, selectBy); err != nil {
			smp.Close()
			return err
		}
		if err := writeGraphs(smp, filepath.Join(dir, "graphs")); err != nil {
			smp.Close()
			return err
		}
	}
	defer smp.Close()
	s := smp.Settings
	logf("run folder %s\n%s: d = %d, K = %d, %d rounds × (%d AM + %d RAM) epochs, %d paths/epoch, u and v: %s %d×%d %s (%d parameters each)\n",
		dir, s.Experiment, smp.Proc.D, s.Process.Steps, s.Train.Rounds, s.Train.AMEpochs, s.Train.RAMEpochs, s.Train.Paths,
		s.Net.Arch, s.Net.Depth, s.Net.Width, s.Net.Act, smp.U.NumParams())
	logFile, err := os.OpenFile(filepath.Join(dir, "log.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	every := c.Int("checkpoint-every")
	valEvery := c.Int("validate-every")
	var (
		validator *experiments.Validator
		valFile   *os.File
		bestScore = math.Inf(-1)
	)
	if valEvery > 0 {
		if validator, err = smp.NewValidator(c.Int("validate-n"), 777); err != nil {
			return err
		}
		if c.String("resume") != "" {
			// checks after the checkpoint will run again: drop their lines, as log.jsonl's
			if err := truncateValidation(filepath.Join(dir, "validation.jsonl"), smp.Trainer.Epoch); err != nil {
				return err
			}
		}
		bestScore = bestValidation(filepath.Join(dir, "validation.jsonl"), smp.Trainer.Epoch, selectBy)
		if valFile, err = os.OpenFile(filepath.Join(dir, "validation.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return err
		}
		defer valFile.Close()
	}
	prog := newProgress(os.Stderr, quiet, smp.Trainer.Cfg.TotalEpochs())
	prog.n = smp.Trainer.Epoch
	trainStart := time.Now()
	trainErr := smp.Trainer.Run(c.Context, func(info dynamics.EpochInfo) error {
		history = append(history, info)
		if err := json.NewEncoder(logFile).Encode(info); err != nil {
			return err
		}
		prog.epoch(info)
		if valEvery > 0 && (info.Epoch+1)%valEvery == 0 {
			// model selection without ground truth: keep the networks with the best ELBO (or
			// ESS, --select-by) on a fixed validation draw (ground truth on the same samples is
			// logged beside it); a NaN score is never better, ties keep the earlier check
			val, err := validator.Check(smp)
			if err != nil {
				return err
			}
			val.SelectBy = selectBy
			score := val.Score(selectBy)
			val.NewBest = score > bestScore
			if err := json.NewEncoder(valFile).Encode(val); err != nil {
				return err
			}
			if val.NewBest {
				bestScore = score
				best := filepath.Join(dir, "best")
				if err := os.MkdirAll(best, 0o755); err != nil {
					return err
				}
				if err := saveFinalNetworks(smp, best); err != nil {
					return err
				}
			}
		}
		if every > 0 && (info.Epoch+1)%every == 0 {
			return smp.SaveCheckpoint(dir)
		}
		return nil
	})
	prog.done()
	trainSec := time.Since(trainStart).Seconds()
	if trainErr != nil {
		if errors.Is(trainErr, context.Canceled) || errors.Is(trainErr, context.DeadlineExceeded) {
			// Run stops between epochs, so the state is consistent: save it
			if err := smp.SaveCheckpoint(dir); err != nil {
				return fmt.Errorf("interrupted, and the checkpoint failed: %w", err)
			}
			return fmt.Errorf("interrupted after %d of %d epochs; checkpoint saved; continue with: naas --resume %s",
				smp.Trainer.Epoch, smp.Trainer.Cfg.TotalEpochs(), dir)
		}
		return fmt.Errorf("training stopped: %w; the last good checkpoint in %s is kept (naas --resume %s continues from it)", trainErr, dir, dir)
	}
	if err := smp.SaveCheckpoint(dir); err != nil {
		return err
	}
	if err := saveFinalNetworks(smp, dir); err != nil {
		return err
	}
	if s.Basin.Paths > 0 {
		fitStart := time.Now()
		bp, err := smp.FitBasinPrior(s.Basin, smp.U, s.Seed, logf)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, basinFile), bp); err != nil {
			return err
		}
		smp.Basin = bp
		sec := time.Since(fitStart).Seconds()
		trainSec += sec
		logf("basin prior: %d basins, %.0f%% of paths stay in their start basin, log α spans %.2f nats, acceptance %.2f (%.1f s, counted as training)\n",
			bp.K(), 100*bp.Stay, bp.LogAlphaRange(), bp.Accept, sec)
	}
	sets := "NAAS, baseline, two exact sets"
	if exp, err := experiments.Lookup(s.Experiment); err == nil && exp.Evaluate != nil {
		sets = "NAAS and baseline; " + exp.Name + "'s own evaluation"
	}
	logf("training: %.1f s; evaluating on %d samples (%s)...\n", trainSec, s.Eval.N, sets)
	rep, err := smp.Evaluate(s.Seed)
	if err != nil {
		return err
	}
	if err := writeResults(dir, rep, trainSec, smp.Proc.E.Calls()); err != nil {
		return err
	}
	for _, err := range writePlots(dir, smp, rep, history) {
		fmt.Fprintln(os.Stderr, "plot skipped:", err)
	}
	fmt.Println(rep.Markdown())
	logf("evaluation: %.1f s; results in %s\n", rep.Seconds, dir)
	return nil
}

// newRunFolder creates a new run folder with its config.json; it never reuses a folder.
// selectBy is the --select-by criterion of best/, recorded as config.json's "select_by".
func newRunFolder(dir string, s experiments.Settings, selectBy string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("run folder %s already exists; choose another --name, or continue it with --resume %s (results are never overwritten)", dir, dir)
		}
		return err
	}
	rec := runRecord(s)
	rec["select_by"] = selectBy
	return writeJSON(filepath.Join(dir, "config.json"), rec)
}

// recordedCriterion is the --select-by criterion recorded in a run folder's config.json, or
// "elbo" (the only criterion before it was recorded).
func recordedCriterion(dir string) string {
	var rec struct {
		SelectBy string `json:"select_by"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil && json.Unmarshal(b, &rec) == nil && rec.SelectBy != "" {
		return rec.SelectBy
	}
	return experiments.SelectELBO
}

// resumeRun rebuilds the sampler of a run folder from its config.json, restores its newest
// checkpoint and returns the epoch log up to that checkpoint (later lines are dropped from
// log.jsonl, since those epochs will run again).
func resumeRun(dir string) (*experiments.Sampler, []dynamics.EpochInfo, error) {
	if _, err := os.Stat(filepath.Join(dir, "metrics.json")); err == nil {
		return nil, nil, fmt.Errorf("%s is a finished run (metrics.json exists); nothing to resume", dir)
	}
	s, err := runSettings(dir)
	if err != nil {
		return nil, nil, err
	}
	smp, err := experiments.Build(s)
	if err != nil {
		return nil, nil, err
	}
	if err := smp.LoadCheckpoint(dir); err != nil {
		smp.Close()
		return nil, nil, err
	}
	var hist []dynamics.EpochInfo
	b, err := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		smp.Close()
		return nil, nil, err
	}
	var keep []byte
	for _, line := range strings.SplitAfter(string(b), "\n") {
		var info dynamics.EpochInfo
		if json.Unmarshal([]byte(line), &info) == nil && info.Epoch < smp.Trainer.Epoch {
			hist = append(hist, info)
			keep = append(keep, line...)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "log.jsonl"), keep, 0o644); err != nil {
		smp.Close()
		return nil, nil, err
	}
	return smp, hist, nil
}

// runSettings reads the settings recorded in a run folder's config.json.
func runSettings(dir string) (experiments.Settings, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return experiments.Settings{}, fmt.Errorf("not a run folder: %w", err)
	}
	var rec struct {
		Settings *experiments.Settings `json:"settings"`
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.Settings == nil {
		return experiments.Settings{}, fmt.Errorf("%s/config.json has no readable settings (%v)", dir, err)
	}
	return *rec.Settings, nil
}

// runRecord is what config.json holds: the settings and how to reproduce them.
func runRecord(s experiments.Settings) map[string]any {
	return map[string]any{
		"settings":   s,
		"go_version": runtime.Version(),
		"commit":     commit(),
		"command":    strings.Join(os.Args, " "),
		"started":    time.Now().UTC().Format(time.RFC3339),
		"gomaxprocs": runtime.GOMAXPROCS(0),
	}
}

// commit is the VCS revision of the binary, or of the working directory's git checkout
// (go run builds without VCS stamps when -buildvcs=false), or "unknown".
func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" {
				return kv.Value
			}
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += "+dirty"
	}
	return rev
}

// saveFinalNetworks writes u.ckpt and v.ckpt (networks with their optimiser state) into dir.
func saveFinalNetworks(smp *experiments.Sampler, dir string) error {
	if err := smp.U.SaveFile(filepath.Join(dir, "u.ckpt")); err != nil {
		return err
	}
	return smp.V.SaveFile(filepath.Join(dir, "v.ckpt"))
}

// writeGraphs writes the forward and training programs of u (AM loss) and v (RAM loss).
func writeGraphs(smp *experiments.Sampler, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range []struct {
		name string
		net  *graph.Net
		loss string
	}{{"u", smp.U, "am"}, {"v", smp.V, "ram"}} {
		for _, p := range []struct {
			prog graph.Program
			file string
		}{{graph.ForwardProgram, n.name + "_forward.dot"}, {graph.TrainProgram, n.name + "_" + n.loss + "_loss.dot"}} {
			path := filepath.Join(dir, p.file)
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			if err := n.net.WriteDOT(f, p.prog); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if _, err := graph.RenderSVG(path, strings.TrimSuffix(path, ".dot")+".svg"); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeResults(dir string, rep *experiments.Report, trainSec float64, calls dynamics.Calls) error {
	out := map[string]any{"report": rep, "train_seconds": trainSec, "energy_calls": calls}
	if err := writeJSON(filepath.Join(dir, "metrics.json"), out); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(rep.Markdown()), 0o644); err != nil {
		return err
	}
	d := len(rep.NAASX) / rep.N // (ExactX is nil for aldp)
	for _, a := range []struct {
		file string
		data []float64
		cols int
	}{
		{"samples_naas.npy", rep.NAASX, d}, {"samples_baseline.npy", rep.BaselineX, d}, {"samples_exact.npy", rep.ExactX, d},
		{"logw_naas.npy", rep.NAASLogW, 1}, {"logw_baseline.npy", rep.BaselineLogW, 1},
	} {
		if a.data == nil {
			continue // no exact set (aldp)
		}
		shape := []int{len(a.data) / a.cols, a.cols}
		if a.cols == 1 {
			shape = shape[:1]
		}
		if err := npy.WriteFile(filepath.Join(dir, a.file), a.data, shape...); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes v as indented JSON atomically (temporary file, then rename).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// progress prints one line per epoch with the time left, or a rewritten status line on a
// terminal.
type progress struct {
	w     io.Writer
	quiet bool
	tty   bool
	total int
	start time.Time
	n     int
}

func newProgress(w io.Writer, quiet bool, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, quiet: quiet, tty: tty, total: total, start: time.Now()}
}

func (p *progress) epoch(info dynamics.EpochInfo) {
	p.n++
	if p.quiet {
		return
	}
	el := time.Since(p.start)
	left := time.Duration(float64(el) / float64(p.n) * float64(p.total-p.n)).Round(time.Second)
	line := fmt.Sprintf("[%3d/%d] round %d %-3s loss %10.4g  lr %.2g  %5.2fs (rollout %.2f adjoint %.2f train %.2f)  calls E/∇E/HVP %d/%d/%d  left ~%s",
		info.Epoch+1, p.total, info.Round, info.Stage, info.Loss, info.LR, info.Seconds, info.RolloutSec, info.AdjointSec, info.TrainSec,
		info.Calls.Energy, info.Calls.Grad, info.Calls.HVP, left)
	if p.tty {
		const width = 20
		done := width * p.n / max(p.total, 1)
		bar := strings.Repeat("█", done) + strings.Repeat("·", width-done)
		fmt.Fprintf(p.w, "\r\033[K%s %s", bar, line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done() {
	if p.tty && !p.quiet {
		fmt.Fprintln(p.w)
	}
}

func listAction(c *cli.Context) error {
	fmt.Println("experiments:")
	for _, n := range experiments.Names() {
		e, _ := experiments.Lookup(n)
		fmt.Printf("  %-10s %s\n", n, e.Summary)
	}
	fmt.Println("architectures:", strings.Join(models.Architectures(), ", "), "(default fourier-mlp)")
	fmt.Println("activations:  ", strings.Join(models.Activations(), ", "))
	fmt.Println("β schedules:  ", strings.Join(dynamics.BetaNames(), ", "))
	fmt.Println("σ schedules:  ", strings.Join(dynamics.SigmaNames(), ", "))
	return nil
}

func graphAction(c *cli.Context) error {
	s, err := resolveSettings(c)
	if err != nil {
		return err
	}
	smp, err := experiments.Build(s)
	if err != nil {
		return err
	}
	defer smp.Close()
	dir := c.String("dir")
	if err := writeGraphs(smp, dir); err != nil {
		return err
	}
	fmt.Printf("wrote u_forward, u_am_loss, v_forward, v_ram_loss (.dot) in %s\n", dir)
	return nil
}

// writePlots draws samples.png (NAAS and baseline over the reference density, projected on the
// reference's principal axes, or x0–x1 for the funnel) or, for aldp, ramachandran.png (NAAS,
// baseline and MD reference (φ, ψ) panels), loss.png (per stage) and, for targets
// with modes, modes.png (mode weights against the truth). A plot that fails is reported and
// skipped: plotting never loses a run.
func writePlots(dir string, smp *experiments.Sampler, rep *experiments.Report, history []dynamics.EpochInfo) []error {
	var errs []error
	d := smp.Proc.D
	opts := plots.SamplesOptions{Title: smp.Settings.Experiment}
	if _, ok := smp.Target.(*targets.Funnel); ok {
		opts.Coords = plots.CoordsRaw
	}
	sets := []plots.Set{{Name: "NAAS", X: rep.NAASX}, {Name: "annealed Langevin (u = v = 0)", X: rep.BaselineX}}
	if a := rep.ALDP; a != nil {
		// no exact Cartesian set: compare the (φ, ψ) torsions with the MD reference instead
		panels := []aldpeval.Panel{{Name: "NAAS", Frames: a.NAASFrames}, {Name: "annealed Langevin", Frames: a.BaselineFrames},
			{Name: "reference (MD)", Frames: a.RefFrames}}
		if err := aldpeval.RamachandranPanelsPNG(filepath.Join(dir, "ramachandran.png"), panels, smp.Settings.Experiment); err != nil {
			errs = append(errs, fmt.Errorf("ramachandran.png: %w", err))
		}
	} else if err := plots.SamplesPNG(filepath.Join(dir, "samples.png"), rep.ExactX, sets, d, opts); err != nil {
		errs = append(errs, fmt.Errorf("samples.png: %w", err))
	}
	var curves []plots.Curve
	for _, stage := range []string{dynamics.StageAM, dynamics.StageRAM} {
		c := plots.Curve{Name: stage + " loss"}
		for _, h := range history {
			if h.Stage == stage {
				c.Epoch = append(c.Epoch, float64(h.Epoch))
				c.Loss = append(c.Loss, h.Loss)
			}
		}
		if len(c.Loss) > 0 {
			curves = append(curves, c)
		}
	}
	if len(curves) > 0 {
		if err := plots.LossPNG(filepath.Join(dir, "loss.png"), curves); err != nil {
			errs = append(errs, fmt.Errorf("loss.png: %w", err))
		}
	}
	if md, ok := smp.Target.(targets.Moded); ok {
		k := md.NModes()
		hist := func(x []float64) []float64 {
			n := len(x) / d
			labels := make([]int, n)
			md.Modes(x, labels)
			w := make([]float64, k)
			for _, l := range labels {
				w[l] += 1 / float64(n)
			}
			return w
		}
		truth := make([]float64, k)
		for i := range truth {
			truth[i] = 1 / float64(k)
		}
		hs := []plots.Hist{{Name: "exact", Weights: hist(rep.ExactX)}, {Name: "NAAS", Weights: hist(rep.NAASX)},
			{Name: "annealed Langevin", Weights: hist(rep.BaselineX)}}
		if err := plots.ModeWeightsPNG(filepath.Join(dir, "modes.png"), truth, hs); err != nil {
			errs = append(errs, fmt.Errorf("modes.png: %w", err))
		}
	}
	return errs
}

// bestValidation is the best score by criterion ("elbo" or "ess") among the validation lines
// of epochs ≤ upTo (a resumed run keeps its best/ networks unless a later check beats them),
// or −∞. Lines without the score (null, NaN) are skipped; lines of the old format (no
// select_by) are read the same way, since ELBO and ESS were always both recorded.
func bestValidation(path string, upTo int, criterion string) float64 {
	best := math.Inf(-1)
	b, err := os.ReadFile(path)
	if err != nil {
		return best
	}
	for _, line := range strings.Split(string(b), "\n") {
		var v experiments.Validation
		if json.Unmarshal([]byte(line), &v) == nil && v.Epoch <= upTo {
			if sc := v.Score(criterion); sc > best {
				best = sc
			}
		}
	}
	return best
}

// truncateValidation drops the validation lines of epochs after upTo (a resumed run repeats
// those epochs and their checks); a missing file is left missing.
func truncateValidation(path string, upTo int) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var keep []byte
	for _, line := range strings.SplitAfter(string(b), "\n") {
		var v experiments.Validation
		if json.Unmarshal([]byte(line), &v) == nil && v.Epoch <= upTo {
			keep = append(keep, line...)
		}
	}
	return os.WriteFile(path, keep, 0o644)
}
