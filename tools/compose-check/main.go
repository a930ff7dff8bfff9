// compose-check loads Compose files the way `docker compose config` does (compose-go v2: the
// file's .env, the process environment, interpolation, the Compose schema, normalisation and the
// consistency checks), with no Docker engine and no network, and prints each project's services or
// the loader's error. It also refuses the obsolete top-level `version:` key, which Compose v2 only
// warns about.
//
//	compose-check [-env-file FILE] COMPOSE_FILE...
//
// Exit status: 0 when every file loads, 1 when one does not, 2 on bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v4"
)

func main() {
	envFile := flag.String("env-file", "", "env file for interpolation (default: .env beside the compose file, as docker compose does)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: compose-check [-env-file FILE] COMPOSE_FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	// The loader's warnings (an unset variable, say) go to standard error, prefixed.
	logrus.SetOutput(os.Stderr)
	logrus.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})

	failed := false
	for _, file := range flag.Args() {
		if err := check(os.Stdout, file, *envFile); err != nil {
			// The schema says "false schema" of a key it does not allow.
			msg := strings.ReplaceAll(err.Error(), " false schema", ": unknown key (the Compose schema does not allow it here)")
			fmt.Fprintf(os.Stderr, "FAIL %s: %s\n", file, msg)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(out io.Writer, file, envFile string) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := refuseVersionKey(content); err != nil {
		return err
	}
	project, err := load(file, envFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "OK %s: project %q\n", file, project.Name)
	names := project.ServiceNames()
	for name := range project.DisabledServices {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		service, ok := project.Services[name]
		if !ok {
			service = project.DisabledServices[name]
		}
		fmt.Fprintf(out, "  service %s: %s\n", name, describe(service))
	}
	for _, kind := range []struct {
		label string
		names []string
	}{
		{"volumes", keys(project.Volumes)},
		{"networks", keys(project.Networks)},
	} {
		if len(kind.names) > 0 {
			fmt.Fprintf(out, "  %s: %s\n", kind.label, strings.Join(kind.names, ", "))
		}
	}
	return nil
}

// load runs compose-go's project loader with the options docker compose itself uses.
func load(file, envFile string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	var envFiles []string
	if envFile != "" {
		envFiles = []string{envFile}
	}
	options, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
		// Every profile, so a service behind a profile is checked as well.
		cli.WithProfiles([]string{"*"}),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

// refuseVersionKey fails on a top-level `version:`: Compose v2 ignores it with a warning, and the
// project's files are Compose v2 syntax.
func refuseVersionKey(content []byte) error {
	var top map[string]any
	if err := yaml.Unmarshal(content, &top); err != nil {
		return nil // the loader reports the syntax error with more context
	}
	if _, ok := top["version"]; ok {
		return fmt.Errorf("top-level `version:` is obsolete in Compose v2 (ignored with a warning): remove it")
	}
	return nil
}

func describe(s types.ServiceConfig) string {
	var parts []string
	if s.Build != nil {
		parts = append(parts, "build "+s.Build.Context)
	}
	if s.Image != "" {
		parts = append(parts, "image "+s.Image)
	}
	for _, p := range s.Ports {
		parts = append(parts, fmt.Sprintf("port %s:%s->%d/%s", p.HostIP, p.Published, p.Target, p.Protocol))
	}
	if len(s.Profiles) > 0 {
		parts = append(parts, "profiles "+strings.Join(s.Profiles, ","))
	}
	if len(parts) == 0 {
		return "(no image, no build)"
	}
	return strings.Join(parts, ", ")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
