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
	case "google_cloudfunctions2_function":
		return planned, functionBuildAccount(planned), nil
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

// A project of an organisation created after May 2024: the organisation policy
// iam.automaticIamGrantsForDefaultServiceAccounts is enforced, so the Compute Engine default service account, which
// builds a function that names no build account since July 2024, holds no role, and the build fails
// (https://cloud.google.com/functions/docs/securing/build-custom-sa: new projects "may be using a default Cloud Build
// service account with insufficient permissions for building a function";
// https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts#disable_service_account_default_grants).
// The real failure comes when applying, from the build; the stand-in never applies, so with this variable set it
// reports it at plan, for each function whose build_config names no service account. A build account unknown at plan
// (made by the same apply) counts as named. Not modelled: whether a named account holds the roles a build needs.
const newOrganisationVariable = "SCHEMA_PROVIDER_NEW_ORGANISATION"

func functionBuildAccount(planned tftypes.Value) []*tfprotov5.Diagnostic {
	if os.Getenv(newOrganisationVariable) != "1" {
		return nil
	}
	var builds []tftypes.Value
	if err := attributeValue(planned, "build_config").As(&builds); err != nil || len(builds) == 0 {
		return nil
	}
	account := attributeValue(builds[0], "service_account")
	if !account.IsKnown() || !account.IsNull() {
		return nil
	}
	name, _ := knownString(attributeValue(planned, "name"))
	return []*tfprotov5.Diagnostic{{
		Severity: tfprotov5.DiagnosticSeverityError,
		Summary:  "Build failed: missing permission on the build service account",
		Detail: "Function " + name + " names no build_config.service_account, so it would be built by the Compute " +
			"Engine default service account, which holds no role in an organisation that enforces " +
			"iam.automaticIamGrantsForDefaultServiceAccounts (" + newOrganisationVariable + "=1). " +
			"See https://cloud.google.com/functions/docs/securing/build-custom-sa",
		Attribute: tftypes.NewAttributePath().WithAttributeName("build_config"),
	}}
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
