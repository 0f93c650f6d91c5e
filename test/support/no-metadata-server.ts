// Tests send traffic to loopback only. Google client libraries probe the GCE metadata server to learn where they run;
// this tells them (gcp-metadata) there is none, so no probe leaves the machine.
process.env['METADATA_SERVER_DETECTION'] = 'none';
