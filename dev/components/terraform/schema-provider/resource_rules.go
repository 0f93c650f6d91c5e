package main

// What particular resources of the real providers do at plan beyond the SDK's generic rule (plan.go).

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func (s *server) resourceRules(typeName string, planned tftypes.Value) (tftypes.Value, []*tfprotov5.Diagnostic, error) {
	switch typeName {
	case "google_service_account":
		v, err := s.serviceAccountKnownAtPlan(planned)
		return v, nil, err
	case "kubernetes_manifest":
		return planned, s.manifestKnownAtPlan(planned), nil
	}
	return planned, nil, nil
}

// Since google 6.13.0 a new google_service_account's `email` and `member` are set at plan (a CustomizeDiff derives
// them from account_id and project): "resourcemanager: made `google_service_account` `email` and `member` fields
// available during plan" (CHANGELOG 6.13.0, https://github.com/hashicorp/terraform-provider-google/pull/20510).
// Before that they are computed like any other attribute: unknown until apply. The stand-in derives them only from a
// project set on the resource itself (the real one also falls back to the provider's default project).
var serviceAccountEmailAtPlanSince = version{6, 13, 0}

func (s *server) serviceAccountKnownAtPlan(planned tftypes.Value) (tftypes.Value, error) {
	if s.name != "google" || s.version.less(serviceAccountEmailAtPlanSince) || attributeValue(planned, "email").IsKnown() {
		return planned, nil
	}
	accountID, idKnown := knownString(attributeValue(planned, "account_id"))
	project, projectKnown := knownString(attributeValue(planned, "project"))
	if !idKnown || !projectKnown {
		return planned, nil
	}
	email := accountID + "@" + project + ".iam.gserviceaccount.com"
	return withAttributes(planned, map[string]tftypes.Value{
		"email":  tftypes.NewValue(tftypes.String, email),
		"member": tftypes.NewValue(tftypes.String, "serviceAccount:"+email),
	})
}

// kubernetes_manifest asks the cluster at plan what the manifest's kind is, so the provider must be configured with
// known values, and the manifest's apiVersion and kind must be known. Its PlanResourceChange
// (https://github.com/hashicorp/terraform-provider-kubernetes/blob/main/manifest/provider/plan.go) reads them with
// GVKFromTftypesObject (manifest/provider/resource.go), whose `As` on an unknown value fails with tftypes' "unmarshaling
// unknown values is not supported"; the plan then stops with "API did not recognize GroupVersionKind from manifest
// (CRD may not be installed)". A manifest rendered by yamldecode(templatefile(...)) from any value unknown at plan is
// unknown as a whole, so it fails there. The docs: "This resource requires API access during planning time"
// (https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/manifest#before-you-use-this-resource);
// with an unknown provider configuration the plan fails with "Failed to construct REST client"
// (https://github.com/hashicorp/terraform-provider-kubernetes/issues/1775).
// Not modelled: the cluster's discovery and OpenAPI answers (the kinds here are built-in RBAC kinds), and the
// planned `object`, which stays unknown.
func (s *server) manifestKnownAtPlan(planned tftypes.Value) []*tfprotov5.Diagnostic {
	if !s.configKnown {
		return []*tfprotov5.Diagnostic{{
			Severity: tfprotov5.DiagnosticSeverityError,
			Summary:  "Failed to construct REST client",
			Detail:   "cannot create REST client: no client config",
		}}
	}
	manifest := attributeValue(planned, "manifest")
	var fields map[string]tftypes.Value
	err := manifest.As(&fields)
	for _, key := range []string{"apiVersion", "kind"} {
		if err == nil && !fields[key].IsKnown() {
			err = errUnknownValue
		}
	}
	if err == nil {
		return s.recordPlannedManifest(fields)
	}
	return []*tfprotov5.Diagnostic{{
		Severity:  tfprotov5.DiagnosticSeverityError,
		Summary:   "API did not recognize GroupVersionKind from manifest (CRD may not be installed)",
		Detail:    err.Error(),
		Attribute: tftypes.NewAttributePath().WithAttributeName("manifest"),
	}}
}

// Where SCHEMA_PROVIDER_MANIFEST_LOG names a file, each manifest planned is recorded there as one line, "HOST KIND
// NAMESPACE/NAME" (tab-separated), HOST being the cluster the provider instance was configured for. It is how the
// checks see which cluster each manifest would go to when several kubernetes providers are configured; the real
// provider has no such record (it asks that cluster, which is the same fact).
const manifestLogVariable = "SCHEMA_PROVIDER_MANIFEST_LOG"

func (s *server) recordPlannedManifest(fields map[string]tftypes.Value) []*tfprotov5.Diagnostic {
	path := os.Getenv(manifestLogVariable)
	if path == "" {
		return nil
	}
	kind, _ := knownString(fields["kind"])
	var metadata map[string]tftypes.Value
	_ = fields["metadata"].As(&metadata)
	namespace, _ := knownString(metadata["namespace"])
	name, _ := knownString(metadata["name"])
	line := fmt.Sprintf("%s\t%s\t%s/%s\n", s.host, kind, namespace, name)
	file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = file.WriteString(line) // one short O_APPEND write: lines from concurrent plans do not interleave
		err = errors.Join(err, file.Close())
	}
	if err != nil {
		return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: manifestLogVariable, Detail: err.Error()}}
	}
	return nil
}

// tftypes.Value.As on an unknown value fails with exactly this text.
var errUnknownValue = errors.New("unmarshaling unknown values is not supported")

// The real provider's ValidateResourceTypeConfig: a known manifest needs apiVersion, kind and metadata
// (manifest/provider/validate.go); an unknown one is let through to plan.
func manifestRequiredKeys(config tftypes.Value) []*tfprotov5.Diagnostic {
	var fields map[string]tftypes.Value
	if attributeValue(config, "manifest").As(&fields) != nil {
		return nil
	}
	var diagnostics []*tfprotov5.Diagnostic
	for _, key := range []string{"apiVersion", "kind", "metadata"} {
		if _, ok := fields[key]; !ok {
			diagnostics = append(diagnostics, &tfprotov5.Diagnostic{
				Severity:  tfprotov5.DiagnosticSeverityError,
				Summary:   `Attribute key missing from "manifest" value`,
				Detail:    "'" + key + "' attribute key is missing from manifest configuration",
				Attribute: tftypes.NewAttributePath().WithAttributeName("manifest").WithAttributeName(key),
			})
		}
	}
	return diagnostics
}

// version is a provider's release number, read from the stand-in's file name (terraform-provider-NAME_vX.Y.Z).
type version [3]int

func parseVersion(text string) version {
	var v version
	for i, part := range strings.SplitN(strings.TrimPrefix(text, "v"), ".", 3) {
		for _, c := range part {
			if c < '0' || c > '9' {
				break
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	return v
}

func (v version) less(other version) bool {
	for i := range v {
		if v[i] != other[i] {
			return v[i] < other[i]
		}
	}
	return false
}
