//! The one translation layer: every string a person reads, in English and Brazilian Portuguese.
//!
//! Each key is declared once with both translations side by side, so a missing translation is a
//! compile error rather than a blank label. The server uses it for emails, the UI for everything.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::PtBr];

    /// The BCP 47 tag, as stored in cookies and sent in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
        }
    }

    /// Picks a language from a tag or an `Accept-Language`-style list (`pt-BR,pt;q=0.9,en;q=0.8`):
    /// the first entry that is Portuguese or English wins; anything else is English.
    pub fn negotiate(header: &str) -> Lang {
        for part in header.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("pt") {
                return Lang::PtBr;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::En
    }

    pub fn t(self, key: Key) -> &'static str {
        match self {
            Lang::En => key.en(),
            Lang::PtBr => key.pt_br(),
        }
    }

    /// The message shown for an API error code.
    pub fn error(self, code: ErrorCode) -> &'static str {
        self.t(Key::for_error(code))
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $pt:literal;)*) => {
        /// A translatable string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
            pub fn en(self) -> &'static str { match self { $(Key::$key => $en),* } }
            pub fn pt_br(self) -> &'static str { match self { $(Key::$key => $pt),* } }
        }
    };
}

messages! {
    // Product
    AppName => "Master IA", "Master IA";
    Tagline => "WhatsApp and SMS campaigns, a shared inbox and AI replies.",
        "Campanhas de WhatsApp e SMS, caixa de entrada compartilhada e respostas com IA.";

    // Error codes (see ErrorCode)
    ErrBadRequest => "The request could not be understood.", "A solicitação não pôde ser entendida.";
    ErrInvalidJson => "The data sent is not valid.", "Os dados enviados não são válidos.";
    ErrValidationFailed => "Please check the highlighted field.", "Verifique o campo destacado.";
    ErrWeakPassword => "Choose a stronger password: at least 10 characters, hard to guess.",
        "Escolha uma senha mais forte: pelo menos 10 caracteres, difícil de adivinhar.";
    ErrUnauthenticated => "Please log in again.", "Faça login novamente.";
    ErrInvalidCredentials => "Email or password is incorrect.", "E-mail ou senha incorretos.";
    ErrEmailNotVerified => "Confirm your email address first: we sent you a link.",
        "Confirme seu e-mail primeiro: enviamos um link para você.";
    ErrForbidden => "Your role does not allow this.", "Seu papel não permite esta ação.";
    ErrCsrfFailed => "Your session expired. Reload the page and try again.",
        "Sua sessão expirou. Recarregue a página e tente novamente.";
    ErrNotFound => "Not found.", "Não encontrado.";
    ErrMethodNotAllowed => "This action is not available here.", "Esta ação não está disponível aqui.";
    ErrEmailTaken => "An account with this email already exists.", "Já existe uma conta com este e-mail.";
    ErrInvalidCsv => "The file could not be read as CSV; nothing was imported.", "Não foi possível ler o arquivo como CSV; nada foi importado.";
    ErrContactExists => "A contact with this phone number already exists.", "Já existe um contato com este número de telefone.";
    ErrConflict => "This conflicts with the current state.", "Isso conflita com o estado atual.";
    ErrInvalidToken => "This link is invalid or has expired.", "Este link é inválido ou expirou.";
    ErrInvalidSignature => "The webhook signature does not match.", "A assinatura do webhook não confere.";
    ErrWindowClosed => "More than 24 hours since the customer last wrote: send a template instead.",
        "Mais de 24 horas desde a última mensagem do cliente: envie um modelo (template).";
    ErrConversationTaken => "A teammate has just taken this conversation.", "Alguém da equipe acabou de assumir esta conversa.";
    ErrInvalidState => "That is not possible in the campaign's current state.", "Isso não é possível no estado atual da campanha.";
    ErrProviderError => "WhatsApp (Meta) refused the request or could not be reached.",
        "O WhatsApp (Meta) recusou o pedido ou não respondeu.";
    ErrRateLimited => "Too many attempts. Wait a minute and try again.",
        "Muitas tentativas. Aguarde um minuto e tente novamente.";
    ErrPayloadTooLarge => "The data sent is too large.", "Os dados enviados são grandes demais.";
    ErrUnsupportedMediaType => "This file type is not supported.", "Este tipo de arquivo não é suportado.";
    ErrServiceUnavailable => "The service is starting or busy. Try again shortly.",
        "O serviço está iniciando ou ocupado. Tente novamente em instantes.";
    ErrInternal => "Something went wrong on our side.", "Algo deu errado do nosso lado.";
    ErrNetwork => "Cannot reach the server. Check your connection.",
        "Não foi possível contatar o servidor. Verifique sua conexão.";

    // Emails
    EmailVerifySubject => "Confirm your email for Master IA", "Confirme seu e-mail no Master IA";
    EmailVerifyBody => "Welcome to Master IA! Open this link to confirm your email address:",
        "Bem-vindo ao Master IA! Abra este link para confirmar seu e-mail:";
    EmailResetSubject => "Reset your Master IA password", "Redefina sua senha do Master IA";
    EmailResetBody => "Someone asked to reset your password. If it was you, open this link (valid for 1 hour):",
        "Alguém pediu para redefinir sua senha. Se foi você, abra este link (válido por 1 hora):";
    EmailInviteSubject => "You are invited to join a team on Master IA", "Você foi convidado para uma equipe no Master IA";
    EmailInviteBody => "You have been invited to join this company on Master IA. Open this link to accept:",
        "Você foi convidado para entrar nesta empresa no Master IA. Abra este link para aceitar:";
    EmailIgnore => "If you did not expect this email, you can ignore it.",
        "Se você não esperava este e-mail, pode ignorá-lo.";

    // UI: common words. Strings with `{name}`-style placeholders are filled in by the UI.
    Loading => "Loading…", "Carregando…";
    PleaseWait => "Please wait…", "Aguarde…";
    Language => "Language", "Idioma";
    Email => "Email", "E-mail";
    Password => "Password", "Senha";
    CurrentPassword => "Current password", "Senha atual";
    NewPassword => "New password", "Nova senha";
    ConfirmNewPassword => "Repeat the new password", "Repita a nova senha";
    YourName => "Your name", "Seu nome";
    CompanyName => "Company name", "Nome da empresa";
    Name => "Name", "Nome";
    Company => "Company", "Empresa";
    Role => "Role", "Papel";
    RoleOwner => "Owner", "Proprietário";
    RoleAdmin => "Admin", "Administrador";
    RoleAgent => "Agent", "Atendente";
    Cancel => "Cancel", "Cancelar";
    Confirm => "Confirm", "Confirmar";
    Remove => "Remove", "Remover";
    Revoke => "Revoke", "Revogar";
    Copy => "Copy", "Copiar";
    Copied => "Copied", "Copiado";
    TryAgain => "Try again", "Tentar novamente";
    Dismiss => "Dismiss", "Fechar";
    FieldRequired => "This field is required.", "Este campo é obrigatório.";
    InvalidEmail => "Enter a valid email address.", "Informe um e-mail válido.";
    PasswordsDontMatch => "The passwords do not match.", "As senhas não coincidem.";
    PasswordHint => "At least 10 characters. A short phrase is easier to remember and harder to guess.",
        "Pelo menos 10 caracteres. Uma frase curta é mais fácil de lembrar e mais difícil de adivinhar.";
    Optional => "optional", "opcional";

    // UI: auth pages
    LoginTitle => "Log in to your account", "Entre na sua conta";
    LoginSubtitle => "Welcome back. Enter your email and password.", "Que bom ver você de novo. Informe seu e-mail e sua senha.";
    LoginSubmit => "Log in", "Entrar";
    ForgotPasswordLink => "Forgot your password?", "Esqueceu a senha?";
    NoAccountYet => "New to Master IA?", "Novo no Master IA?";
    CreateAccountLink => "Create an account", "Crie uma conta";
    ResendVerification => "Resend confirmation email", "Reenviar e-mail de confirmação";
    VerificationResent => "If this account is waiting for confirmation, we sent a new link. Check your inbox.",
        "Se esta conta estiver aguardando confirmação, enviamos um novo link. Confira sua caixa de entrada.";
    NoticePasswordChanged => "Password changed. Log in again with your new password.",
        "Senha alterada. Entre novamente com sua nova senha.";
    NoticePasswordReset => "Your password was reset. Log in with the new one.",
        "Sua senha foi redefinida. Entre com a nova senha.";
    NoticeInviteAccepted => "Invitation accepted. Log in to join your team.",
        "Convite aceito. Entre para acessar sua equipe.";
    NoticeEmailVerified => "Email confirmed. You can log in now.", "E-mail confirmado. Você já pode entrar.";
    NoticeSessionExpired => "Your session ended. Please log in again.", "Sua sessão terminou. Entre novamente.";
    NoticeLoggedOut => "You have logged out.", "Você saiu da sua conta.";
    SignupTitle => "Create your account", "Crie sua conta";
    SignupSubtitle => "Set up your company's workspace. It takes a minute.",
        "Configure o espaço de trabalho da sua empresa. Leva um minuto.";
    SignupSubmit => "Create account", "Criar conta";
    HaveAccount => "Already have an account?", "Já tem uma conta?";
    LoginLink => "Log in", "Entrar";
    CheckEmailTitle => "Check your email", "Confira seu e-mail";
    CheckEmailBody => "We sent a confirmation link to {email}. Open it to activate your account, then log in.",
        "Enviamos um link de confirmação para {email}. Abra-o para ativar sua conta e depois entre.";
    BackToLogin => "Back to log in", "Voltar para o login";
    GoToLogin => "Go to log in", "Ir para o login";
    VerifyTitle => "Confirm your email", "Confirmação de e-mail";
    VerifyWorking => "Confirming your email address…", "Confirmando seu e-mail…";
    VerifySuccess => "Your email is confirmed. You can log in now.", "Seu e-mail foi confirmado. Você já pode entrar.";
    VerifyFailedHint => "Try logging in: if your email is still unconfirmed, you can ask for a new link there.",
        "Tente entrar: se seu e-mail ainda não estiver confirmado, você pode pedir um novo link por lá.";
    LinkIncomplete => "This link is incomplete. Open it again from your email.",
        "Este link está incompleto. Abra-o novamente a partir do seu e-mail.";
    ForgotTitle => "Reset your password", "Redefina sua senha";
    ForgotSubtitle => "Enter your account email and we will send you a link to choose a new password.",
        "Informe o e-mail da sua conta e enviaremos um link para você escolher uma nova senha.";
    ForgotSubmit => "Send reset link", "Enviar link";
    ForgotSent => "If an account exists for that email, we sent a link to reset the password. It is valid for 1 hour.",
        "Se existir uma conta com esse e-mail, enviamos um link para redefinir a senha. Ele vale por 1 hora.";
    ResetTitle => "Choose a new password", "Escolha uma nova senha";
    ResetSubmit => "Save new password", "Salvar nova senha";
    ResetDone => "Your password was changed. Log in with the new one.", "Sua senha foi alterada. Entre com a nova senha.";
    InviteTitle => "Join {company}", "Junte-se a {company}";
    InviteSubtitle => "You were invited as {role} with {email}.", "Você foi convidado como {role} com o e-mail {email}.";
    InviteExistingHint => "You already have an account: confirm with your current password.",
        "Você já tem uma conta: confirme com sua senha atual.";
    InviteNewHint => "Create your access to this team.", "Crie seu acesso a esta equipe.";
    InviteAccept => "Accept invitation", "Aceitar convite";

    // UI: app frame
    SkipToContent => "Skip to content", "Pular para o conteúdo";
    MainNavigation => "Main navigation", "Navegação principal";
    OpenMenu => "Menu", "Menu";
    CloseMenu => "Close menu", "Fechar menu";
    Logout => "Log out", "Sair";
    LiveConnecting => "Connecting…", "Conectando…";
    LiveOnline => "Live", "Ao vivo";
    LiveOffline => "Offline", "Sem conexão";
    LiveHint => "Real-time updates", "Atualizações em tempo real";
    NavWorkspace => "Workspace", "Espaço de trabalho";
    NavDashboard => "Dashboard", "Painel";
    NavInbox => "Inbox", "Caixa de entrada";
    NavContacts => "Contacts", "Contatos";
    NavCampaigns => "Campaigns", "Campanhas";
    NavConnections => "Connections", "Conexões";
    NavAi => "AI", "IA";
    NavAutomation => "Automation", "Automação";
    NavSettings => "Settings", "Configurações";
    NavTeam => "Team", "Equipe";
    NavApiKeys => "API keys", "Chaves de API";
    NavAccount => "Account", "Conta";
    NotFoundTitle => "Page not found", "Página não encontrada";
    NotFoundBody => "The page you are looking for does not exist or has moved.",
        "A página que você procura não existe ou foi movida.";
    GoToDashboard => "Go to the dashboard", "Ir para o painel";

    // UI: dashboard and the areas of later releases
    DashboardGreeting => "Hello, {name}", "Olá, {name}";
    DashboardSubtitle => "Campaigns, conversations and automation for {company}, all in one place.",
        "Campanhas, conversas e automação de {company}, tudo em um só lugar.";
    GettingStartedTitle => "Getting started", "Primeiros passos";
    GettingStartedHint => "A few steps to get your team ready.", "Alguns passos para deixar sua equipe pronta.";
    StepInvite => "Invite your teammates", "Convide sua equipe";
    StepInviteHint => "Add admins and agents so they can work the inbox with you.",
        "Adicione administradores e atendentes para cuidarem da caixa de entrada com você.";
    StepApiKey => "Create an API key", "Crie uma chave de API";
    StepApiKeyHint => "Connect your own systems to the REST API.", "Conecte seus próprios sistemas à API REST.";
    StepChannel => "Connect a channel", "Conecte um canal";
    StepChannelHint => "WhatsApp Cloud API, WhatsApp by QR code, or SMS.", "WhatsApp Cloud API, WhatsApp por QR code ou SMS.";
    StepContacts => "Import your contacts", "Importe seus contatos";
    StepContactsHint => "Upload a CSV with phone numbers, names and tags.", "Envie um CSV com telefones, nomes e tags.";
    StepDone => "Done", "Concluído";
    StepsProgress => "{done} of {total} done", "{done} de {total} concluídos";
    StepTodo => "To do", "A fazer";
    StepSoon => "Coming soon", "Em breve";
    AreasTitle => "Your workspace", "Seu espaço de trabalho";
    AreaInboxDesc => "One shared inbox for every WhatsApp and SMS conversation, with assignment and labels.",
        "Uma caixa de entrada compartilhada para todas as conversas de WhatsApp e SMS, com atribuição e etiquetas.";
    AreaContactsDesc => "Your contacts with tags, custom fields, CSV import and opt-outs.",
        "Seus contatos com tags, campos personalizados, importação por CSV e descadastros.";
    AreaCampaignsDesc => "Send approved WhatsApp templates and SMS to segments at a safe pace, with live delivery numbers.",
        "Envie templates aprovados de WhatsApp e SMS para segmentos em ritmo seguro, com números de entrega ao vivo.";
    AreaConnectionsDesc => "Connect WhatsApp Cloud API numbers, WhatsApp by QR code and Twilio SMS.",
        "Conecte números da WhatsApp Cloud API, WhatsApp por QR code e SMS da Twilio.";
    AreaAiDesc => "AI personas that answer customers from your knowledge base and hand over to people when needed.",
        "Personas de IA que respondem clientes com base no seu conhecimento e passam a conversa para pessoas quando preciso.";
    AreaAutomationDesc => "Rules that tag, assign and reply automatically when something happens.",
        "Regras que etiquetam, atribuem e respondem automaticamente quando algo acontece.";
    AreaSettingsDesc => "Your team, API keys, contact fields and tags, and your account.", "Sua equipe, chaves de API, campos e tags de contatos, e sua conta.";
    UpcomingBadge => "Soon", "Em breve";
    OpenArea => "Open", "Abrir";

    // UI: team settings
    TeamTitle => "Team", "Equipe";
    TeamSubtitle => "Who can access this workspace, and what they can do.",
        "Quem tem acesso a este espaço de trabalho e o que cada pessoa pode fazer.";
    TeamReadOnly => "Only owners and admins can change the team.",
        "Somente proprietários e administradores podem alterar a equipe.";
    InviteFormTitle => "Invite a teammate", "Convidar para a equipe";
    InviteFormHint => "They receive an email with a link to join. Invitations expire after a few days.",
        "A pessoa recebe um e-mail com um link para entrar. Os convites expiram depois de alguns dias.";
    InviteSubmit => "Send invitation", "Enviar convite";
    InvitationSent => "Invitation sent.", "Convite enviado.";
    AlreadyMember => "This person is already a member of the team.", "Esta pessoa já faz parte da equipe.";
    MembersTitle => "Members", "Membros";
    PendingInvitationsTitle => "Pending invitations", "Convites pendentes";
    NoPendingInvitations => "No pending invitations.", "Nenhum convite pendente.";
    NoMembers => "No members yet.", "Nenhum membro ainda.";
    You => "you", "você";
    JoinedOn => "Joined {date}", "Entrou em {date}";
    ExpiresOn => "Expires {date}", "Expira em {date}";
    ChangeRoleFor => "Role of {name}", "Papel de {name}";
    RoleUpdated => "Role updated.", "Papel atualizado.";
    ConfirmRemoveMember => "Remove {name} from the team?", "Remover {name} da equipe?";
    MemberRemoved => "Member removed.", "Membro removido.";
    ConfirmRevokeInvitation => "Revoke the invitation for {email}?", "Revogar o convite para {email}?";
    InvitationRevoked => "Invitation revoked.", "Convite revogado.";

    // UI: API keys
    ApiKeysTitle => "API keys", "Chaves de API";
    ApiKeysSubtitle => "Keys let your systems call the REST API on behalf of this company. Send one as a Bearer token.",
        "As chaves permitem que seus sistemas usem a API REST em nome desta empresa. Envie a chave como token Bearer.";
    ApiKeysReadOnly => "Only owners and admins can create or revoke API keys.",
        "Somente proprietários e administradores podem criar ou revogar chaves de API.";
    ApiKeyName => "Key name", "Nome da chave";
    ApiKeyNamePlaceholder => "e.g. CRM integration", "ex.: Integração com o CRM";
    CreateApiKey => "Create key", "Criar chave";
    ApiKeyCreated => "API key created.", "Chave de API criada.";
    NewKeyTitle => "Your new API key", "Sua nova chave de API";
    NewKeyWarning => "Copy it now and keep it somewhere safe: it will not be shown again.",
        "Copie agora e guarde em um lugar seguro: ela não será exibida novamente.";
    NewKeySaved => "I have saved it", "Já guardei";
    CopyFailed => "Could not copy. Select the key and copy it by hand.",
        "Não foi possível copiar. Selecione a chave e copie manualmente.";
    NoApiKeys => "No API keys yet.", "Nenhuma chave de API ainda.";
    KeyCreatedOn => "Created {date}", "Criada em {date}";
    KeyLastUsed => "Last used {date}", "Último uso em {date}";
    KeyNeverUsed => "Never used", "Nunca usada";
    ConfirmRevokeKey => "Revoke “{name}”? Systems using it will stop working.",
        "Revogar “{name}”? Os sistemas que a usam deixarão de funcionar.";
    ApiKeyRevoked => "API key revoked.", "Chave de API revogada.";

    // UI: account settings
    AccountTitle => "Account", "Conta";
    AccountSubtitle => "Your profile, password and language.", "Seu perfil, sua senha e seu idioma.";
    ProfileTitle => "Profile", "Perfil";
    ChangePasswordTitle => "Change password", "Alterar senha";
    ChangePasswordHint => "Afterwards you are logged out on every device and log in again with the new password.",
        "Depois disso, você sai de todos os dispositivos e entra novamente com a nova senha.";
    ChangePasswordSubmit => "Change password", "Alterar senha";
    CurrentPasswordWrong => "The current password is incorrect.", "A senha atual está incorreta.";
    LanguageHint => "The interface language, saved in this browser.", "O idioma da interface, salvo neste navegador.";

    // UI: contacts
    ContactsSubtitle => "The people you talk to on WhatsApp and SMS.",
        "As pessoas com quem você conversa por WhatsApp e SMS.";
    ContactsCountOne => "1 contact", "1 contato";
    ContactsCount => "{count} contacts", "{count} contatos";
    ContactsCountMore => "First {count} contacts", "Primeiros {count} contatos";
    NewContact => "New contact", "Novo contato";
    EditContact => "Edit contact", "Editar contato";
    ContactsSearchLabel => "Search contacts", "Buscar contatos";
    ContactsSearchPlaceholder => "Name, phone or email", "Nome, telefone ou e-mail";
    ContactsTagLabel => "Tag", "Tag";
    ContactsTagPlaceholder => "Filter by tag", "Filtrar por tag";
    ClearFilters => "Clear filters", "Limpar filtros";
    FilterByTag => "Show contacts tagged {tag}", "Mostrar contatos com a tag {tag}";
    Phone => "Phone", "Telefone";
    Tags => "Tags", "Tags";
    Notes => "Notes", "Observações";
    Actions => "Actions", "Ações";
    Edit => "Edit", "Editar";
    Delete => "Delete", "Excluir";
    Close => "Close", "Fechar";
    LoadMore => "Load more", "Carregar mais";
    ContactNoName => "No name", "Sem nome";
    ContactPhoneHint => "With area code, e.g. (11) 98765-4321. For other countries, start with + and the country code.",
        "Com DDD, ex.: (11) 98765-4321. Para outros países, comece com + e o código do país.";
    ContactPhoneInvalid => "This is not a valid phone number. Check the area code and the number of digits.",
        "Este não é um número de telefone válido. Confira o DDD e a quantidade de dígitos.";
    ContactTagsHint => "Separate tags with commas, e.g. vip, customer.",
        "Separe as tags com vírgulas, ex.: vip, cliente.";
    ContactOptedOut => "Opted out of messages", "Descadastrado das mensagens";
    ContactOptedOutHint => "Campaigns skip people who asked not to receive messages.",
        "As campanhas ignoram quem pediu para não receber mensagens.";
    OptedOutBadge => "Opted out", "Descadastrado";
    Save => "Save", "Salvar";
    DeleteContact => "Delete contact", "Excluir contato";
    ConfirmDeleteContact => "Delete the contact {name}?", "Excluir o contato {name}?";
    ContactCreated => "Contact created.", "Contato criado.";
    ContactUpdated => "Contact saved.", "Contato salvo.";
    ContactDeleted => "Contact deleted.", "Contato excluído.";
    NoContactsYet => "No contacts yet.", "Nenhum contato ainda.";
    NoContactsYetHint => "Add your first contact to start conversations and campaigns.",
        "Adicione seu primeiro contato para começar conversas e campanhas.";
    NoContactMatches => "No contacts match these filters.", "Nenhum contato corresponde a estes filtros.";

    // Contact import, segments, bulk actions, the contact drawer's fields
    Yes => "Yes", "Sim";
    No => "No", "Não";
    ImportTitle => "Import contacts", "Importar contatos";
    ImportSubtitle => "Upload a CSV file: new phone numbers become contacts, known ones are updated. Nothing is sent to anyone.",
        "Envie um arquivo CSV: números novos viram contatos, os já conhecidos são atualizados. Nenhuma mensagem é enviada.";
    ImportChooseFile => "Choose a CSV file", "Escolha um arquivo CSV";
    ImportFileHint => "UTF-8, separated by commas or semicolons (Excel: \"CSV UTF-8\"). The first line names the columns; one column must hold the phone number.",
        "UTF-8, separado por vírgulas ou ponto e vírgula (Excel: \"CSV UTF-8\"). A primeira linha dá nome às colunas; uma delas deve ter o telefone.";
    ImportColumnsTitle => "Check the columns", "Confira as colunas";
    ImportColumnsHint => "Choose what each column holds. Empty cells never erase what is already saved.",
        "Escolha o que cada coluna contém. Células vazias nunca apagam o que já está salvo.";
    ImportOtherFile => "Choose another file", "Escolher outro arquivo";
    ImportSkip => "Don't import", "Não importar";
    ImportNewAttribute => "New field: {key}", "Novo campo: {key}";
    ImportNeedsPhone => "Choose the column that holds the phone number.", "Escolha a coluna que tem o telefone.";
    ImportDuplicateTarget => "Two columns go to the same place; choose \"Don't import\" for one of them.",
        "Duas colunas vão para o mesmo lugar; escolha \"Não importar\" em uma delas.";
    ImportExtraTags => "Tag every imported contact (optional)", "Adicionar tags a todos os contatos importados (opcional)";
    ImportExtraTagsHint => "Separate tags with commas, e.g. fair-2026. Handy to find this import later.",
        "Separe as tags com vírgulas, ex.: feira-2026. Ajuda a encontrar esta importação depois.";
    ImportStart => "Import", "Importar";
    ImportRunning => "Importing… you can keep this page open or come back later.", "Importando… você pode manter esta página aberta ou voltar depois.";
    ImportProgress => "{lines} lines read · {imported} new · {updated} updated · {rejected} rejected",
        "{lines} linhas lidas · {imported} novos · {updated} atualizados · {rejected} recusadas";
    ImportDone => "Import finished", "Importação concluída";
    ImportLinesRead => "{count} lines read.", "{count} linhas lidas.";
    ImportNew => "New", "Novos";
    ImportUpdated => "Updated", "Atualizados";
    ImportRejected => "Rejected", "Recusadas";
    ImportRejectedTitle => "Lines not imported", "Linhas não importadas";
    ImportLine => "Line {line}", "Linha {line}";
    ImportRejectedMore => "…and {count} more.", "…e mais {count}.";
    ImportViewContacts => "View contacts", "Ver contatos";
    ImportAnother => "Import another file", "Importar outro arquivo";
    ImportHistory => "Recent imports", "Importações recentes";
    ImportHistoryEmpty => "No imports yet.", "Nenhuma importação ainda.";
    ImportHistoryCounts => "{imported} new · {updated} updated · {rejected} rejected", "{imported} novos · {updated} atualizados · {rejected} recusadas";
    ImportContacts => "Import CSV", "Importar CSV";
    ExportContacts => "Export CSV", "Exportar CSV";
    NavSegments => "Segments", "Segmentos";
    SegmentsTitle => "Segments", "Segmentos";
    SegmentsSubtitle => "Saved filters of your contacts. Campaigns send to a segment; people who opted out are never part of one.",
        "Filtros salvos dos seus contatos. Campanhas são enviadas a um segmento; quem se descadastrou nunca faz parte dele.";
    NewSegment => "New segment", "Novo segmento";
    EditSegment => "Edit segment", "Editar segmento";
    NoSegmentsYet => "No segments yet.", "Nenhum segmento ainda.";
    NoSegmentsYetHint => "Create one from tags and custom fields, e.g. everyone tagged vip in São Paulo.",
        "Crie um a partir de tags e campos personalizados, ex.: todos com a tag vip em São Paulo.";
    SegmentSaved => "Segment saved.", "Segmento salvo.";
    SegmentDeleted => "Segment deleted.", "Segmento excluído.";
    ConfirmDeleteSegment => "Delete the segment {name}? Its contacts stay.", "Excluir o segmento {name}? Os contatos continuam.";
    SegmentCount => "{count} contacts", "{count} contatos";
    SegmentCountOne => "1 contact", "1 contato";
    SegmentTagsPlaceholder => "e.g. vip, customer", "ex.: vip, cliente";
    SegmentViewContacts => "View contacts", "Ver contatos";
    SegmentTagsAny => "Has any of these tags", "Tem alguma destas tags";
    SegmentTagsAll => "Has all of these tags", "Tem todas estas tags";
    SegmentTagsNone => "Has none of these tags", "Não tem nenhuma destas tags";
    SegmentConditions => "Custom field conditions", "Condições de campos personalizados";
    SegmentAddCondition => "Add condition", "Adicionar condição";
    SegmentOptOutNote => "Contacts who opted out are left out automatically.", "Contatos descadastrados ficam de fora automaticamente.";
    SegmentField => "Field", "Campo";
    SegmentComparison => "Comparison", "Comparação";
    SegmentValue => "Value", "Valor";
    SegmentFilterLabel => "Segment", "Segmento";
    AllContacts => "All contacts", "Todos os contatos";
    OpEq => "is", "é";
    OpNe => "is not", "não é";
    OpContains => "contains", "contém";
    OpGt => "greater than", "maior que";
    OpGte => "at least", "pelo menos";
    OpLt => "less than", "menor que";
    OpLte => "at most", "no máximo";
    OpIsSet => "is filled in", "está preenchido";
    OpIsNotSet => "is empty", "está vazio";
    SortLabel => "Sort", "Ordenar";
    SortNewest => "Newest first", "Mais recentes";
    SortOldest => "Oldest first", "Mais antigos";
    SortName => "Name A–Z", "Nome A–Z";
    SelectContact => "Select {name}", "Selecionar {name}";
    SelectAllShown => "Select all shown", "Selecionar todos exibidos";
    BulkSelected => "{count} selected", "{count} selecionados";
    BulkTagPlaceholder => "tag", "tag";
    BulkAddTag => "Add tag", "Adicionar tag";
    BulkRemoveTag => "Remove tag", "Remover tag";
    BulkOptOut => "Opt out", "Descadastrar";
    BulkDelete => "Delete", "Excluir";
    BulkClear => "Clear selection", "Limpar seleção";
    BulkDone => "{count} contacts changed.", "{count} contatos alterados.";
    ConfirmBulkDelete => "Delete {count} contacts?", "Excluir {count} contatos?";
    EraseContact => "Erase personal data", "Apagar dados pessoais";
    ConfirmErase => "Erase everything about {name} for good (GDPR/LGPD)? This cannot be undone.",
        "Apagar definitivamente todos os dados de {name} (LGPD)? Não é possível desfazer.";
    ContactErased => "Personal data erased.", "Dados pessoais apagados.";
    ContactFields => "Custom fields", "Campos personalizados";
    ContactHistory => "Conversation history", "Histórico de conversas";
    ContactOptedOutVia => "Opted out on {date} ({via}).", "Descadastrado em {date} ({via}).";
    ContactLastContacted => "Last contacted: {date}", "Último contato: {date}";

    // Contact settings: custom fields and the tag manager
    NavContactSettings => "Fields & tags", "Campos e tags";
    ContactSettingsTitle => "Contact fields & tags", "Campos e tags de contatos";
    ContactSettingsSubtitle => "The custom fields every contact can have, and the tags in use.",
        "Os campos personalizados que cada contato pode ter e as tags em uso.";
    ContactSettingsReadOnly => "Only owners and admins can change custom fields and tags.",
        "Somente proprietários e administradores podem alterar campos personalizados e tags.";
    CustomFieldsTitle => "Custom fields", "Campos personalizados";
    CustomFieldsHint => "Extra information kept on each contact, like a plan or a birthday. Segments filter on them and CSV imports fill them in.",
        "Informações extras guardadas em cada contato, como plano ou aniversário. Segmentos filtram por elas e importações CSV as preenchem.";
    FieldLabel => "Name", "Nome";
    FieldLabelPlaceholder => "e.g. Plan", "ex.: Plano";
    FieldKey => "Key", "Chave";
    FieldKeyHint => "Used by the API and CSV imports: a–z, 0–9 and _, starting with a letter. It cannot change later.",
        "Usada pela API e pelas importações CSV: a–z, 0–9 e _, começando com uma letra. Não pode ser alterada depois.";
    FieldType => "Type", "Tipo";
    FieldTypeText => "Text", "Texto";
    FieldTypeNumber => "Number", "Número";
    FieldTypeDate => "Date", "Data";
    FieldTypeBoolean => "Yes/no", "Sim/não";
    FieldTypeChoice => "Choice from a list", "Escolha em uma lista";
    FieldOptions => "Options", "Opções";
    FieldOptionsHint => "One per line, or separated by commas.", "Uma por linha ou separadas por vírgulas.";
    AddFieldTitle => "Add a field", "Adicionar um campo";
    AddField => "Add field", "Adicionar campo";
    FieldAdded => "Field added.", "Campo adicionado.";
    FieldSaved => "Field saved.", "Campo salvo.";
    FieldDeleted => "Field deleted. Values already saved on contacts were kept.",
        "Campo excluído. Os valores já salvos nos contatos foram mantidos.";
    EditFieldFor => "Edit the field {label}", "Editar o campo {label}";
    DeleteFieldFor => "Delete the field {label}", "Excluir o campo {label}";
    ConfirmDeleteField => "Delete the field “{label}”? Values already saved on contacts stay, as plain attributes.",
        "Excluir o campo “{label}”? Os valores já salvos nos contatos continuam, como atributos simples.";
    FieldFixedNote => "The key “{key}” and the type cannot change.", "A chave “{key}” e o tipo não podem ser alterados.";
    NoContactFields => "No custom fields yet.", "Nenhum campo personalizado ainda.";
    NoContactFieldsHint => "Add one with the form below, e.g. “Plan” with the options Gold and Silver.",
        "Adicione um com o formulário abaixo, ex.: “Plano” com as opções Ouro e Prata.";
    NoContactFieldsReadOnlyHint => "Owners and admins can add them on this page.",
        "Proprietários e administradores podem adicioná-los nesta página.";
    FieldKeyInvalid => "Use 1–64 characters of a–z, 0–9 and _, starting with a letter (e.g. birthday).",
        "Use de 1 a 64 caracteres entre a–z, 0–9 e _, começando com uma letra (ex.: aniversario).";
    FieldKeyReserved => "This key belongs to a built-in contact column; choose another.",
        "Esta chave pertence a uma coluna própria do contato; escolha outra.";
    FieldKeyTaken => "A field with this key already exists.", "Já existe um campo com esta chave.";
    FieldLabelInvalid => "Give the field a name of 1–80 characters.", "Dê ao campo um nome de 1 a 80 caracteres.";
    FieldOptionsRequired => "A choice field needs at least one option.", "Um campo de escolha precisa de pelo menos uma opção.";
    FieldOptionsInvalid => "Use 1 to 100 options of up to 100 characters each.",
        "Use de 1 a 100 opções, cada uma com até 100 caracteres.";
    FieldLimitReached => "A company can define at most 100 custom fields.",
        "Uma empresa pode definir no máximo 100 campos personalizados.";
    TagsTitle => "Tags", "Tags";
    TagsHint => "Every tag in use and how many contacts carry it. Renaming a tag to one that already exists merges the two.",
        "Todas as tags em uso e quantos contatos têm cada uma. Renomear uma tag para uma que já existe junta as duas.";
    TagColumn => "Tag", "Tag";
    TagContactsColumn => "Contacts", "Contatos";
    TagCountOne => "1 contact", "1 contato";
    TagCountMany => "{count} contacts", "{count} contatos";
    TagShowContacts => "Show the contacts tagged {tag}", "Mostrar os contatos com a tag {tag}";
    Rename => "Rename", "Renomear";
    RenameTagFor => "Rename the tag {tag}", "Renomear a tag {tag}";
    DeleteTagFor => "Delete the tag {tag}", "Excluir a tag {tag}";
    TagNewName => "New name", "Novo nome";
    TagRenamed => "Tag renamed.", "Tag renomeada.";
    TagDeleted => "Tag removed from every contact.", "Tag removida de todos os contatos.";
    ConfirmDeleteTag => "Remove the tag “{tag}” from every contact? The contacts themselves stay.",
        "Remover a tag “{tag}” de todos os contatos? Os contatos continuam.";
    TagNameInvalid => "Use at most 64 characters and no commas.", "Use no máximo 64 caracteres e nenhuma vírgula.";
    NoTags => "No tags yet.", "Nenhuma tag ainda.";
    NoTagsHint => "Tag contacts on the Contacts page or in a CSV import, and the tags show up here.",
        "Adicione tags aos contatos na página Contatos ou em uma importação CSV, e elas aparecem aqui.";
    // UI: connections (channels)
    ConnectionsSubtitle => "The numbers your team sends and receives WhatsApp messages through.",
        "Os números pelos quais sua equipe envia e recebe mensagens de WhatsApp.";
    ConnectionsReadOnly => "Only owners and admins can add, test or change connections.",
        "Somente proprietários e administradores podem adicionar, testar ou alterar conexões.";
    AddConnection => "Add connection", "Adicionar conexão";
    NewConnectionTitle => "Add a WhatsApp Cloud API number", "Adicionar um número da WhatsApp Cloud API";
    NewConnectionHint => "Copy the ids from Meta's WhatsApp Manager (API Setup) and the secrets from your Meta app.",
        "Copie os IDs do WhatsApp Manager da Meta (Configuração da API) e os segredos do seu app da Meta.";
    EditConnectionTitle => "Edit {name}", "Editar {name}";
    ConnectionNamePlaceholder => "Sales number", "Número de vendas";
    PhoneNumberId => "Phone number ID", "ID do número de telefone";
    WabaId => "WhatsApp Business Account ID", "ID da conta do WhatsApp Business (WABA)";
    AccessToken => "Access token", "Token de acesso";
    AccessTokenHint => "A system-user token with whatsapp_business_messaging and whatsapp_business_management.",
        "Um token de usuário do sistema com whatsapp_business_messaging e whatsapp_business_management.";
    AppSecret => "App secret", "Chave secreta do app";
    AppSecretHint => "Your Meta app → App settings → Basic. It signs every webhook Meta sends.",
        "Seu app da Meta → Configurações do app → Básico. Ela assina cada webhook que a Meta envia.";
    VerifyToken => "Verify token", "Token de verificação";
    VerifyTokenHint => "Any text you choose; paste the same text into Meta's dashboard. We suggested a random one.",
        "Qualquer texto que você escolher; cole o mesmo texto no painel da Meta. Sugerimos um aleatório.";
    CopyFailedShort => "Copy failed", "Falha ao copiar";
    SuggestAnother => "Suggest another", "Sugerir outro";
    SecretKeepHint => "Leave empty to keep the current value.", "Deixe vazio para manter o valor atual.";
    GraphIdInvalid => "Digits only: the number shown in Meta's WhatsApp Manager (API Setup).",
        "Somente números: o número mostrado no WhatsApp Manager da Meta (Configuração da API).";
    SecretInvalid => "Paste the value without spaces or line breaks.", "Cole o valor sem espaços nem quebras de linha.";
    PhoneNumberIdTaken => "This phone number ID is already connected.", "Este ID de número de telefone já está conectado.";
    SaveConnection => "Save connection", "Salvar conexão";
    ConnectionCreated => "Connection added.", "Conexão adicionada.";
    ConnectionSaved => "Connection saved.", "Conexão salva.";
    ConnectionDeleted => "Connection removed.", "Conexão removida.";
    ConfirmDeleteConnection => "Remove “{name}”? Its conversations and messages stay.",
        "Remover “{name}”? As conversas e mensagens continuam.";
    KindWhatsappCloud => "WhatsApp Cloud API", "WhatsApp Cloud API";
    ConnStatusPending => "Not checked", "Não verificada";
    ConnStatusConnected => "Connected", "Conectada";
    ConnStatusError => "Error", "Erro";
    QualityGreen => "High quality", "Qualidade alta";
    QualityYellow => "Medium quality", "Qualidade média";
    QualityRed => "Low quality", "Qualidade baixa";
    QualityUnknown => "Quality unknown", "Qualidade desconhecida";

    // Message templates (a WhatsApp Cloud connection's).
    Templates => "Templates", "Modelos";
    TemplatesTitle => "Message templates", "Modelos de mensagem";
    TemplatesSubtitle => "Meta-approved templates are the only messages WhatsApp delivers when a customer has not written in the last 24 hours, and the ones campaigns send.",
        "Modelos aprovados pela Meta são as únicas mensagens que o WhatsApp entrega quando o cliente não escreveu nas últimas 24 horas, e são os que as campanhas enviam.";
    TemplatesReadOnly => "Anyone can sync and preview templates; only owners and admins can submit new ones.",
        "Qualquer pessoa pode sincronizar e pré-visualizar modelos; só proprietários e administradores podem enviar novos.";
    SyncTemplates => "Sync from Meta", "Sincronizar com a Meta";
    TemplatesSynced => "{synced} template(s) read from Meta, {removed} removed.", "{synced} modelo(s) lidos da Meta, {removed} removido(s).";
    TemplatesSyncRefused => "Meta refused the sync:", "A Meta recusou a sincronização:";
    NoTemplates => "No templates yet", "Nenhum modelo ainda";
    NoTemplatesHint => "Sync to read this number's templates from its WhatsApp Business account, or create one and submit it for Meta's review.",
        "Sincronize para ler os modelos da conta do WhatsApp Business deste número, ou crie um e envie para a análise da Meta.";
    NewTemplate => "New template", "Novo modelo";
    NewTemplateHint => "Meta reviews every template, usually within minutes; it can be sent once approved.",
        "A Meta analisa cada modelo, geralmente em minutos; ele pode ser enviado depois de aprovado.";
    TplApproved => "Approved", "Aprovado";
    TplPending => "In review", "Em análise";
    TplRejected => "Rejected", "Rejeitado";
    TplPaused => "Paused", "Pausado";
    TplDisabled => "Disabled", "Desativado";
    CategoryMarketing => "Marketing", "Marketing";
    CategoryUtility => "Utility", "Utilidade";
    CategoryAuthentication => "Authentication", "Autenticação";
    TemplateRejectedReason => "Meta's reason: {reason}", "Motivo da Meta: {reason}";
    Preview => "Preview", "Pré-visualizar";
    HidePreview => "Hide preview", "Ocultar";
    TemplateVariables => "Variables", "Variáveis";
    TemplateVariableN => "Variable {{{n}}}", "Variável {{{n}}}";
    TemplateHeaderVariable => "Header variable {{1}}", "Variável do cabeçalho {{1}}";
    TemplateNoVariables => "This template has no variables.", "Este modelo não tem variáveis.";
    CustomerSees => "What the customer sees", "O que o cliente vê";
    TemplateName => "Name", "Nome";
    TemplateNameHint => "Lower-case letters, digits and _, e.g. order_update.", "Letras minúsculas, números e _, por exemplo pedido_enviado.";
    TemplateNameInvalid => "Use lower-case letters, digits and _ only.", "Use apenas letras minúsculas, números e _.";
    TemplateLanguage => "Language code", "Código do idioma";
    TemplateLanguageHint => "As Meta writes it: pt_BR, en_US, es…", "Como a Meta escreve: pt_BR, en_US, es…";
    TemplateLanguageRequired => "Give the language code.", "Informe o código do idioma.";
    TemplateCategory => "Category", "Categoria";
    TemplateCategoryHint => "Utility: about an order or account. Marketing: offers and news.",
        "Utilidade: sobre um pedido ou conta. Marketing: ofertas e novidades.";
    TemplateHeader => "Header (optional)", "Cabeçalho (opcional)";
    TemplateBody => "Message", "Mensagem";
    TemplateBodyHint => "Write {{1}}, {{2}}… where each customer's details go.", "Escreva {{1}}, {{2}}… onde entram os dados de cada cliente.";
    TemplateBodyRequired => "Write the message.", "Escreva a mensagem.";
    TemplateFooter => "Footer (optional)", "Rodapé (opcional)";
    TemplateExamples => "Sample values for Meta's review", "Valores de exemplo para a análise da Meta";
    TemplateExamplesHint => "Meta asks for an example of every variable.", "A Meta pede um exemplo de cada variável.";
    TemplateExamplesRequired => "Give a sample for every variable.", "Dê um exemplo para cada variável.";
    TemplateExists => "A template with this name and language exists.", "Já existe um modelo com este nome e idioma.";
    SubmitTemplate => "Submit to Meta", "Enviar para a Meta";
    TemplateSubmitted => "Template submitted to Meta for review.", "Modelo enviado para análise da Meta.";
    LastChecked => "Checked {when}", "Verificada em {when}";
    NeverChecked => "Not checked yet: press Test connection.", "Ainda não verificada: use Testar conexão.";
    CallbackUrl => "Callback URL", "URL de retorno (Callback URL)";
    TestConnection => "Test connection", "Testar conexão";
    TestOk => "Meta answered: {name} ({phone}).", "A Meta respondeu: {name} ({phone}).";
    TestFailed => "Meta did not accept the connection:", "A Meta não aceitou a conexão:";
    SetupTitle => "Connect it in Meta's dashboard", "Conecte no painel da Meta";
    SetupIntro => "Meta sends customers' messages to the Callback URL below. Three steps in your app at developers.facebook.com:",
        "A Meta envia as mensagens dos clientes para a URL de retorno abaixo. Três passos no seu app em developers.facebook.com:";
    SetupStep1 => "Open WhatsApp → Configuration and press Edit under Webhook.",
        "Abra WhatsApp → Configuração e clique em Editar em Webhook.";
    SetupStep2 => "Paste the Callback URL and the Verify token, then press Verify and save.",
        "Cole a URL de retorno e o token de verificação e clique em Verificar e salvar.";
    SetupStep3 => "Under Webhook fields, subscribe to messages.", "Em Campos do webhook, assine o campo messages.";
    SetupStep4 => "Come back and press Test connection.", "Volte aqui e clique em Testar conexão.";
    SetupVerifyTokenNote => "The verify token is the one you typed in the form; it is stored sealed and not shown again.",
        "O token de verificação é o que você digitou no formulário; ele fica guardado de forma protegida e não é mostrado de novo.";
    ShowSetup => "How to connect in Meta", "Como conectar na Meta";
    NoConnections => "No connections yet.", "Nenhuma conexão ainda.";
    NoConnectionsHint => "Add your WhatsApp Cloud API number to receive your customers' messages in the inbox.",
        "Adicione seu número da WhatsApp Cloud API para receber as mensagens dos clientes na caixa de entrada.";
    PhoneNumberIdShort => "Number ID {id}", "ID do número {id}";
    WabaIdShort => "WABA {id}", "WABA {id}";

    // UI: campaigns
    CampaignsSubtitle => "Send an approved template to many contacts at once, at your number's pace, and follow every message.",
        "Envie um modelo aprovado para muitos contatos de uma vez, no ritmo do seu número, e acompanhe cada mensagem.";
    NewCampaign => "New campaign", "Nova campanha";
    NoCampaigns => "No campaigns yet", "Nenhuma campanha ainda";
    NoCampaignsHint => "Choose a template, an audience and a time; Master IA sends it without repeating anyone.",
        "Escolha um modelo, um público e um horário; o Master IA envia sem repetir ninguém.";
    CampaignDraft => "Draft", "Rascunho";
    CampaignScheduled => "Scheduled", "Agendada";
    CampaignRunning => "Sending", "Enviando";
    CampaignPaused => "Paused", "Pausada";
    CampaignCompleted => "Completed", "Concluída";
    CampaignCancelled => "Cancelled", "Cancelada";
    CampaignProgress => "Progress", "Progresso";
    CampaignCountsLine => "{sent} of {total} sent · {delivered} delivered · {read} read · {failed} failed",
        "{sent} de {total} enviadas · {delivered} entregues · {read} lidas · {failed} com falha";
    CampaignName => "Campaign name", "Nome da campanha";
    CampaignNumber => "WhatsApp number", "Número de WhatsApp";
    CampaignNeedsNumber => "Add a WhatsApp number in Connections first.", "Adicione antes um número de WhatsApp em Conexões.";
    CampaignTemplate => "Template", "Modelo";
    CampaignTemplateHint => "Only templates Meta approved are listed.", "Só aparecem os modelos aprovados pela Meta.";
    CampaignVariablesHint => "Write text, or use the contact's data: {{contact.name}}, {{contact.first_name|cliente}} (with a fallback), {{contact.email}}, {{contact.<custom field>}}.",
        "Escreva um texto ou use dados do contato: {{contact.name}}, {{contact.first_name|cliente}} (com alternativa), {{contact.email}}, {{contact.<campo>}}.";
    CampaignAudience => "Who receives it", "Quem recebe";
    CampaignAllContacts => "All contacts", "Todos os contatos";
    CampaignTags => "Contacts with any of these tags (comma separated)", "Contatos com qualquer destas etiquetas (separadas por vírgula)";
    CampaignFromFile => "Or a list from a file (CSV)", "Ou uma lista de um arquivo (CSV)";
    CampaignFromFileHint => "Its people are added to your contacts (or updated, by phone) with a tag of their own, and the campaign goes to that tag.",
        "As pessoas entram nos seus contatos (ou são atualizadas, pelo telefone) com uma etiqueta própria, e a campanha vai para essa etiqueta.";
    CampaignFileImported => "{imported} new and {updated} known contacts tagged {tag}; {rejected} lines rejected.",
        "{imported} contatos novos e {updated} conhecidos com a etiqueta {tag}; {rejected} linhas recusadas.";
    CampaignSchedule => "Start at (optional)", "Começar em (opcional)";
    CampaignScheduleHint => "In the company's time zone (Team settings). Empty: when you start it.",
        "No fuso horário da empresa (configurações da Equipe). Vazio: quando você iniciar.";
    CampaignRate => "Messages per second", "Mensagens por segundo";
    CampaignRateHint => "Meta allows 80 per second per number by default, up to 1,000 for upgraded numbers.",
        "A Meta permite 80 por segundo por número por padrão, até 1.000 para números promovidos.";
    QuietHours => "Quiet hours (optional)", "Horário de silêncio (opcional)";
    QuietFrom => "Quiet from", "Silêncio a partir de";
    QuietUntil => "Quiet until", "Silêncio até";
    QuietHoursHint => "Nothing is sent in this window each day; sending resumes when it ends.",
        "Nada é enviado nesse intervalo a cada dia; o envio continua quando ele termina.";
    SaveAndStart => "Save and start", "Salvar e iniciar";
    SaveDraft => "Save as draft", "Salvar rascunho";
    CampaignWhoReceives => "Recipients", "Destinatários";
    CampaignPreviewEmpty => "Choose an audience to see who receives it.", "Escolha um público para ver quem recebe.";
    CampaignExcludedLine => "{matched} match; left out: {opted_out} opted out, {invalid} without a usable number.",
        "{matched} correspondem; de fora: {opted_out} descadastrados, {invalid} sem número utilizável.";
    CampaignMissingValue => "No value for {refs}: this contact would fail. Add a fallback with |.",
        "Sem valor para {refs}: este contato falharia. Adicione uma alternativa com |.";
    CampaignNotStarted => "The campaign was saved but did not start.", "A campanha foi salva, mas não começou.";
    CampaignStoppedBecause => "Sending stopped:", "O envio parou:";
    CampaignRateLine => "{rate}/s", "{rate}/s";
    CampaignScheduledFor => "starts {at}", "começa {at}";
    CampaignQuietLine => "quiet {start}–{end} ({zone})", "silêncio {start}–{end} ({zone})";
    CampaignPace => "{rate} messages/s", "{rate} mensagens/s";
    CampaignEta => "about {time} left", "cerca de {time} restantes";
    CampaignExcludedAtStart => "Left out at the start: {opted_out} opted out, {invalid} without a usable number.",
        "Deixados de fora no início: {opted_out} descadastrados, {invalid} sem número utilizável.";
    CampaignDeleted => "Campaign deleted.", "Campanha excluída.";
    CampaignMessage => "Campaign · {name}", "Campanha · {name}";
    StartCampaign => "Start", "Iniciar";
    PauseCampaign => "Pause", "Pausar";
    ResumeCampaign => "Resume", "Retomar";
    CancelCampaign => "Cancel campaign", "Cancelar campanha";
    CancelCampaignQuestion => "Stop for good? Recipients not reached yet will not receive it.",
        "Parar de vez? Quem ainda não recebeu não vai receber.";
    DeleteCampaignQuestion => "Delete this campaign and its report?", "Excluir esta campanha e o relatório?";
    CountTotal => "Recipients", "Destinatários";
    CountSent => "Sent", "Enviadas";
    CountDelivered => "Delivered", "Entregues";
    CountRead => "Read", "Lidas";
    CountReplied => "Replied", "Responderam";
    CountFailed => "Failed", "Falharam";
    CountPending => "Waiting", "Aguardando";
    CountSkipped => "Skipped", "Ignorados";
    FailuresByReason => "Failures by reason", "Falhas por motivo";
    NoFailures => "No failures.", "Nenhuma falha.";
    SendsPerMinute => "Sends per minute", "Envios por minuto";
    NothingSentYet => "Nothing sent yet.", "Nada enviado ainda.";
    Recipients => "Recipients", "Destinatários";
    Status => "Status", "Status";
    Details => "Details", "Detalhes";
    // UI: inbox
    InboxStatusFilter => "Conversation status", "Status da conversa";
    TabOpen => "Open", "Abertas";
    TabResolved => "Resolved", "Resolvidas";
    TabAll => "All", "Todas";
    TabPending => "Pending", "Pendentes";
    CompanyTitle => "Company", "Empresa";
    DefaultCountry => "Default country", "País padrão";
    DefaultCountryHint => "Two letters (BR, PT, US): phone numbers typed without a country code are read in it.",
        "Duas letras (BR, PT, US): telefones digitados sem código do país são lidos nele.";
    TimeZone => "Time zone", "Fuso horário";
    TimeZoneHint => "Campaign schedules and quiet hours are read in it, e.g. America/Sao_Paulo.",
        "Agendamentos e horários de silêncio de campanhas usam este fuso, ex.: America/Sao_Paulo.";
    AutoAssign => "Assign new conversations automatically", "Atribuir novas conversas automaticamente";
    AutoAssignHint => "A customer's new message goes to the members who have the app open, in turn.",
        "A nova mensagem de um cliente vai para quem está com o app aberto, em rodízio.";
    CompanySaved => "Company settings saved.", "Configurações da empresa salvas.";
    ActivityAutoAssigned => "Assigned automatically to {to}", "Atribuída automaticamente a {to}";
    ContactConversations => "Conversations", "Conversas";
    NoContactConversations => "No conversations with this contact yet.", "Ainda não há conversas com este contato.";
    ContactDetails => "Contact details", "Dados do contato";
    TabSnoozed => "Snoozed", "Adiadas";
    InboxScopeFilter => "Whose conversations", "De quem são as conversas";
    ScopeMine => "Mine", "Minhas";
    ScopeUnassigned => "Unassigned", "Sem responsável";
    ScopeAll => "All", "Todas";
    InboxSearch => "Search name, number or message", "Buscar nome, número ou mensagem";
    FilteredByLabel => "Label:", "Etiqueta:";
    ClearFilter => "Clear the filter", "Limpar o filtro";
    RetrySend => "Try again", "Tentar de novo";
    NoteBy => "Note by {name}", "Nota de {name}";
    ActivityTook => "{name} took the conversation", "{name} assumiu a conversa";
    ActivityAssigned => "{name} assigned the conversation to {to}", "{name} atribuiu a conversa a {to}";
    ActivityUnassigned => "{name} left the conversation unassigned", "{name} deixou a conversa sem responsável";
    ActivitySnoozeEnded => "The snooze ended: the conversation is open again", "O adiamento terminou: a conversa está aberta de novo";
    ActivitySnoozed => "{name} snoozed the conversation until {until}", "{name} adiou a conversa até {until}";
    ActivityStatus => "{name} marked the conversation {status}", "{name} marcou a conversa como {status}";
    ActivityLabelsAdded => "{name} added {labels}", "{name} adicionou {labels}";
    ActivityLabelsRemoved => "{name} removed {labels}", "{name} removeu {labels}";
    StatusOpen => "Open", "Aberta";
    StatusPending => "Pending", "Pendente";
    StatusResolved => "Resolved", "Resolvida";
    StatusSnoozed => "Snoozed", "Adiada";
    ConversationStatus => "Conversation status", "Status da conversa";
    SnoozeUntil => "Snooze until", "Adiar até";
    SnoozeHour => "In an hour", "Daqui a uma hora";
    SnoozeTomorrow => "Tomorrow, 9:00", "Amanhã, 9:00";
    SnoozeNextWeek => "Next Monday, 9:00", "Próxima segunda, 9:00";
    SnoozedUntil => "Snoozed until {until}", "Adiada até {until}";
    TakeConversation => "Take it", "Assumir";
    AssignedToYou => "Yours", "Sua";
    AssignedTo => "With {name}", "Com {name}";
    ATeammate => "a teammate", "alguém da equipe";
    AssignTo => "Assign to", "Atribuir a";
    Unassigned => "Unassigned", "Sem responsável";
    AddLabel => "Add label", "Nova etiqueta";
    RemoveLabel => "Remove the label {label}", "Remover a etiqueta {label}";
    ComposerMode => "Reply or note", "Resposta ou nota";
    ComposerReply => "Reply", "Responder";
    ComposerNote => "Private note", "Nota interna";
    ReplyPlaceholder => "Write a reply… (/ for saved answers)", "Escreva uma resposta… (/ para respostas prontas)";
    NotePlaceholder => "A note only your team sees", "Uma nota que só a equipe vê";
    ComposerHint => "Enter sends · Shift+Enter new line · / saved answers", "Enter envia · Shift+Enter nova linha · / respostas prontas";
    NoteHint => "The customer never sees notes.", "O cliente nunca vê as notas.";
    SendReply => "Send", "Enviar";
    AddNote => "Add note", "Adicionar nota";
    AttachFile => "Attach a file", "Anexar arquivo";
    RemoveFile => "Remove the file", "Remover o arquivo";
    InsertEmoji => "Insert an emoji", "Inserir emoji";
    ComposerWindowClosed => "The customer has not written for 24 hours: WhatsApp only delivers an approved template until they do.",
        "O cliente não escreve há 24 horas: até ele escrever, o WhatsApp só entrega um modelo aprovado.";
    NoApprovedTemplates => "This number has no approved template yet.", "Este número ainda não tem modelo aprovado.";
    ChooseTemplate => "Choose a template", "Escolha um modelo";
    SendTemplate => "Send template", "Enviar modelo";
    NoConversations => "No conversations yet.", "Nenhuma conversa ainda.";
    NoConversationsHint => "When customers write to a connected WhatsApp number, their conversations appear here live.",
        "Quando clientes escreverem para um número de WhatsApp conectado, as conversas aparecem aqui ao vivo.";
    NoConversationsHere => "No conversations in this view.", "Nenhuma conversa nesta visão.";
    SetUpConnection => "Set up a connection", "Configurar uma conexão";
    SelectConversation => "Select a conversation to read it.", "Selecione uma conversa para lê-la.";
    BackToConversations => "Back to conversations", "Voltar para as conversas";
    NoMessagesYet => "No messages yet.", "Nenhuma mensagem ainda.";
    LoadOlderMessages => "Load earlier messages", "Carregar mensagens anteriores";
    JustNow => "now", "agora";
    MinutesShort => "{n} min", "{n} min";
    HoursShort => "{n} h", "{n} h";
    Today => "Today", "Hoje";
    Yesterday => "Yesterday", "Ontem";
    UnreadCount => "{count} unread", "{count} não lidas";
    WindowClosed => "The 24-hour window is closed: until the customer writes again, only approved templates can be sent.",
        "A janela de 24 horas está fechada: até o cliente escrever de novo, só é possível enviar modelos aprovados.";
    WindowOpenUntil => "Free-form replies possible until {time}.", "Respostas livres possíveis até {time}.";
    MsgImage => "Photo", "Foto";
    MsgAudio => "Audio", "Áudio";
    MsgVideo => "Video", "Vídeo";
    MsgDocument => "Document", "Documento";
    MsgSticker => "Sticker", "Figurinha";
    MsgLocation => "Location", "Localização";
    MsgContacts => "Contact card", "Cartão de contato";
    MsgReacted => "Reacted {emoji}", "Reagiu {emoji}";
    MsgReactionRemoved => "Removed a reaction", "Removeu uma reação";
    MsgReply => "Replied", "Respondeu";
    MsgOrder => "Order", "Pedido";
    MsgTemplate => "Template", "Modelo";
    MsgUnsupported => "This message type cannot be shown yet.", "Este tipo de mensagem ainda não pode ser exibido.";
    MediaDownloading => "Downloading from WhatsApp…", "Baixando do WhatsApp…";
    OpenInMaps => "Open in Google Maps", "Abrir no Google Maps";
    MessageDeleted => "This message was deleted.", "Esta mensagem foi apagada.";
    Edited => "edited", "editada";
    Forwarded => "Forwarded", "Encaminhada";
    MsgStatusQueued => "Queued", "Na fila";
    MsgStatusSent => "Sent", "Enviada";
    MsgStatusDelivered => "Delivered", "Entregue";
    MsgStatusRead => "Read", "Lida";
    MsgStatusPlayed => "Played", "Reproduzida";
    MsgStatusFailed => "Not delivered", "Não entregue";
    // UI: AI (personas, knowledge bases, test chat)
    AiSubtitle => "Personas answer customers with a model of your choice, grounded in your knowledge bases; try them here before they talk to anyone.",
        "Personas respondem clientes com o modelo que você escolher, com base nas suas bases de conhecimento; teste aqui antes que falem com alguém.";
    AiTabs => "AI sections", "Seções de IA";
    Personas => "Personas", "Personas";
    KnowledgeBases => "Knowledge bases", "Bases de conhecimento";
    NewPersona => "New persona", "Nova persona";
    NewKnowledgeBase => "New knowledge base", "Nova base de conhecimento";
    NoPersonas => "No personas yet", "Nenhuma persona ainda";
    NoPersonasHint => "A persona is a model, a prompt and a knowledge base that answer customers, and know when to call a person.",
        "Uma persona é um modelo, um prompt e uma base de conhecimento que respondem clientes e sabem quando chamar uma pessoa.";
    NoKnowledgeBases => "No knowledge bases yet", "Nenhuma base de conhecimento ainda";
    NoKnowledgeBasesHint => "Add your FAQ, policies and manuals (text, Markdown or PDF); personas answer from them and say which passages they used.",
        "Adicione suas perguntas frequentes, políticas e manuais (texto, Markdown ou PDF); as personas respondem a partir deles e dizem quais trechos usaram.";
    AiReadOnly => "Only owners and admins can change this; you can read it and try it.",
        "Só proprietários e administradores podem alterar isto; você pode ler e testar.";
    PersonaEnabled => "On", "Ativa";
    PersonaDisabled => "Off", "Desativada";
    NoKnowledgeBase => "No knowledge base", "Sem base de conhecimento";
    KbCounts => "{documents} documents · {chunks} passages", "{documents} documentos · {chunks} trechos";
    KbIndexingCount => "indexing {count}", "indexando {count}";
    PersonaName => "Name", "Nome";
    PersonaNameHint => "Shown to your team, e.g. “Support – daytime”.", "Exibido para a equipe, ex.: “Suporte – diurno”.";
    AiProviderLabel => "Provider", "Provedor";
    AiModel => "Model", "Modelo";
    AiModelHint => "Empty: the provider's usual model ({model}).", "Vazio: o modelo padrão do provedor ({model}).";
    AiModelRequired => "This server needs the model's name.", "Este servidor precisa do nome do modelo.";
    AiApiKey => "API key", "Chave de API";
    AiApiKeyStored => "A key is stored ({hint}). Leave empty to keep it.", "Há uma chave salva ({hint}). Deixe vazio para mantê-la.";
    AiApiKeyOptional => "Usually not needed for this provider.", "Normalmente não é necessária para este provedor.";
    AiApiKeyNeeded => "Stored encrypted; only its last characters are shown again.", "Guardada criptografada; só os últimos caracteres voltam a aparecer.";
    AiRemoveKey => "Remove the stored key", "Remover a chave salva";
    AiBaseUrl => "Base URL", "URL base";
    AiBaseUrlRequired => "The server's OpenAI-compatible address, e.g. http://localhost:8000/v1.", "O endereço compatível com OpenAI do servidor, ex.: http://localhost:8000/v1.";
    AiBaseUrlOptional => "Optional: only for a server other than the provider's own.", "Opcional: só para um servidor diferente do próprio provedor.";
    SystemPrompt => "Instructions (system prompt)", "Instruções (prompt de sistema)";
    SystemPromptHint => "Who the persona is, what it may promise, what it must never do.", "Quem a persona é, o que pode prometer, o que nunca deve fazer.";
    SystemPromptPlaceholder => "You answer customers of our store politely and briefly…", "Você atende os clientes da nossa loja com educação e objetividade…";
    Temperature => "Temperature", "Temperatura";
    TemperatureHint => "0 to 2: lower is steadier, higher more creative. Empty: the default.", "0 a 2: menor é mais estável, maior mais criativo. Vazio: o padrão.";
    TemperatureInvalid => "Use a number from 0 to 2.", "Use um número de 0 a 2.";
    MaxTokens => "Maximum answer length (tokens)", "Tamanho máximo da resposta (tokens)";
    MaxTokensHint => "Empty: the default.", "Vazio: o padrão.";
    NumberInvalid => "Use a whole number greater than 0.", "Use um número inteiro maior que 0.";
    AnswerLanguage => "Answers in", "Responde em";
    Tone => "Tone", "Tom";
    ToneHint => "E.g. friendly, formal. Empty: as the instructions say.", "Ex.: friendly (amigável), formal. Vazio: como dizem as instruções.";
    KnowledgeBase => "Knowledge base", "Base de conhecimento";
    KnowledgeBaseHint => "The persona answers from its passages and says which ones it used.", "A persona responde a partir dos trechos dela e diz quais usou.";
    Handoff => "Handing over to a person", "Passar para uma pessoa";
    HandoffKeywords => "Words that ask for a person (comma separated)", "Palavras que pedem uma pessoa (separadas por vírgula)";
    HandoffMaxTurns => "Hand over after this many answers in a row", "Passar depois de tantas respostas seguidas";
    HandoffMaxTurnsHint => "Empty: no limit.", "Vazio: sem limite.";
    HandoffLowConfidence => "Hand over when the knowledge base has nothing close to the question", "Passar quando a base de conhecimento não tiver nada próximo da pergunta";
    HandoffMessage => "What the customer is told", "O que o cliente recebe";
    PersonaEnabledToggle => "Answer customers with this persona", "Atender clientes com esta persona";
    SavePersona => "Save persona", "Salvar persona";
    PersonaSaved => "Persona saved.", "Persona salva.";
    PersonaCreated => "Persona created. Try it in the test chat.", "Persona criada. Teste no chat de teste.";
    PersonaDeleted => "Persona deleted.", "Persona excluída.";
    DeletePersonaQuestion => "Delete the persona “{name}”? Conversations it answered stay.", "Excluir a persona “{name}”? As conversas que ela atendeu continuam.";
    TestChat => "Test chat", "Chat de teste";
    TestChatHint => "You play the customer; nothing is sent to anyone. It uses the saved settings.", "Você faz o papel do cliente; nada é enviado a ninguém. Usa as configurações salvas.";
    TestChatSaveFirst => "Save the persona to try it here.", "Salve a persona para testá-la aqui.";
    TestChatEmpty => "Write what a customer would ask.", "Escreva o que um cliente perguntaria.";
    TestChatPlaceholder => "Type a customer's message…", "Digite uma mensagem de cliente…";
    TestChatThinking => "Writing an answer…", "Escrevendo uma resposta…";
    TestChatClear => "Clear", "Limpar";
    TestChatSources => "Sources ({count})", "Fontes ({count})";
    TestChatNoSources => "No passage of the knowledge base was used.", "Nenhum trecho da base de conhecimento foi usado.";
    TestChatHandoff => "Would hand off to a person: {reason}", "Passaria para uma pessoa: {reason}";
    TestChatTruncated => "Cut at the maximum answer length.", "Cortada no tamanho máximo da resposta.";
    TestChatFailed => "No answer:", "Sem resposta:";
    YouAsCustomer => "Customer (you)", "Cliente (você)";
    ScoreMatch => "{score}% match", "{score}% de proximidade";
    KbName => "Name", "Nome";
    KbDescription => "Description (optional)", "Descrição (opcional)";
    KbDescriptionHint => "What it covers, for your team.", "O que ela cobre, para a sua equipe.";
    Embedding => "How texts are searched (embeddings)", "Como os textos são buscados (embeddings)";
    EmbeddingHint => "A model turns each passage into numbers to find the ones closest to a question. Keep it unless you know you need another.",
        "Um modelo transforma cada trecho em números para encontrar os mais próximos de uma pergunta. Mantenha, a menos que saiba que precisa de outro.";
    EmbeddingServerDefault => "Use the server's default embedding settings", "Usar as configurações de embedding padrão do servidor";
    EmbeddingServerDefaultMissing => "This server has no default embedding settings: choose a provider and a key.", "Este servidor não tem configurações de embedding padrão: escolha um provedor e uma chave.";
    EmbeddingChangeWarning => "Changing these re-indexes every document of the base.", "Mudar isto reindexa todos os documentos da base.";
    EmbeddingKeyStored => "key stored", "chave salva";
    EmbeddingNoKey => "no key", "sem chave";
    CreateKnowledgeBase => "Create knowledge base", "Criar base de conhecimento";
    KnowledgeBaseCreated => "Knowledge base created. Add documents to it.", "Base de conhecimento criada. Adicione documentos.";
    KnowledgeBaseSaved => "Knowledge base saved.", "Base de conhecimento salva.";
    KnowledgeBaseDeleted => "Knowledge base deleted.", "Base de conhecimento excluída.";
    DeleteKnowledgeBaseQuestion => "Delete “{name}” and all its documents? Personas using it will answer without it.",
        "Excluir “{name}” e todos os documentos? As personas que a usam vão responder sem ela.";
    Documents => "Documents", "Documentos";
    NoDocuments => "No documents yet: add a file, paste a text or write questions and answers.", "Nenhum documento ainda: envie um arquivo, cole um texto ou escreva perguntas e respostas.";
    DocQueued => "Waiting", "Na fila";
    DocIndexing => "Indexing", "Indexando";
    DocReady => "Ready", "Pronto";
    DocFailed => "Failed", "Falhou";
    DocProgress => "{done} of {total} passages", "{done} de {total} trechos";
    DocPassages => "{count} passages", "{count} trechos";
    DocReindex => "Try again", "Tentar de novo";
    DocReindexed => "Indexing again.", "Indexando de novo.";
    DocDeleted => "Document deleted.", "Documento excluído.";
    DeleteDocumentQuestion => "Delete “{title}”? Personas stop using its passages.", "Excluir “{title}”? As personas deixam de usar os trechos dele.";
    DocSaved => "Saved; indexing it again.", "Salvo; indexando de novo.";
    DocAdded => "Document added; indexing it now.", "Documento adicionado; indexando agora.";
    DocTitle => "Title", "Título";
    DocText => "Text", "Texto";
    DocTextHint => "Plain text or Markdown.", "Texto simples ou Markdown.";
    AddDocument => "Add to the base", "Adicionar à base";
    AddFile => "File", "Arquivo";
    AddText => "Paste text", "Colar texto";
    AddFaq => "Questions and answers", "Perguntas e respostas";
    UploadHint => "Text (.txt), Markdown (.md) or PDF, up to 20 MB. Scanned PDFs without text cannot be read.",
        "Texto (.txt), Markdown (.md) ou PDF, até 20 MB. PDFs digitalizados sem texto não podem ser lidos.";
    Uploading => "Uploading…", "Enviando…";
    FileTooLarge => "This file is larger than 20 MB.", "Este arquivo tem mais de 20 MB.";
    FaqQuestion => "Question", "Pergunta";
    FaqAnswer => "Answer", "Resposta";
    FaqAddRow => "Add a question", "Adicionar pergunta";
    FaqRemoveRow => "Remove this question", "Remover esta pergunta";
    FaqNeedsOne => "Write at least one question with its answer.", "Escreva pelo menos uma pergunta com a resposta.";
    AddToBase => "Add", "Adicionar";
    TryQuestion => "Try a question", "Testar uma pergunta";
    TryQuestionHint => "See which passages a persona would be given for it, closest first.", "Veja quais trechos uma persona receberia, dos mais próximos aos menos.";
    TryQuestionPlaceholder => "E.g. how long does delivery take?", "Ex.: quanto tempo demora a entrega?";
    SearchAction => "Search", "Buscar";
    NothingFound => "Nothing close to this question.", "Nada próximo desta pergunta.";
    DocumentDetails => "Document", "Documento";
    KbEmbeddingLine => "Embeddings: {provider} · {model}", "Embeddings: {provider} · {model}";
    BackToAi => "AI", "IA";
    ConnectionPersona => "AI answers new conversations", "IA atende novas conversas";
    ConnectionPersonaNone => "No one — people only", "Ninguém — só pessoas";
    ConnectionPersonaSaved => "From now on {name} answers new conversations on this number.", "A partir de agora {name} atende novas conversas deste número.";
    ConnectionPersonaCleared => "New conversations on this number go to people.", "Novas conversas deste número vão para pessoas.";
    ScopeAi => "AI", "IA";
    PersonaAnswering => "{name} (AI) is answering", "{name} (IA) está atendendo";
    AiPersonasGroup => "AI personas", "Personas de IA";
    StopAi => "Stop the AI", "Parar a IA";
    AiReplyBy => "{name} · AI", "{name} · IA";
    AiSources => "Sources ({count})", "Fontes ({count})";
    AiHandoffNote => "Handed off: {reason}", "Transferida: {reason}";
    HandoffToast => "{name} needs a person: {reason}", "{name} precisa de uma pessoa: {reason}";
    OpenConversation => "Open", "Abrir";
    WorkingHours => "Working hours", "Horário de atendimento";
    WorkingHoursHint => "When this persona answers customers, in the company's time zone; outside these hours its conversations go to people. No hours: any time.",
        "Quando esta persona atende clientes, no fuso horário da empresa; fora desses horários as conversas vão para pessoas. Sem horários: a qualquer hora.";
    AddWorkingWindow => "Add hours", "Adicionar horário";
    RemoveWorkingWindow => "Remove these hours", "Remover este horário";
    WorkingFrom => "From", "Das";
    WorkingUntil => "Until", "Até";
    DayMon => "Mon", "Seg";
    DayTue => "Tue", "Ter";
    DayWed => "Wed", "Qua";
    DayThu => "Thu", "Qui";
    DayFri => "Fri", "Sex";
    DaySat => "Sat", "Sáb";
    DaySun => "Sun", "Dom";
    SuggestReply => "Suggest a reply with AI", "Sugerir resposta com IA";
    SuggestedBy => "Draft by {name} (AI): read it before sending.", "Rascunho de {name} (IA): leia antes de enviar.";
    Summarize => "Summarise", "Resumir";
    SummaryBy => "Summary by {name} (AI)", "Resumo de {name} (IA)";
    CloseSummary => "Close the summary", "Fechar o resumo";
    AssistNeedsPersona => "Create an AI persona first (AI → Personas) to get suggestions and summaries.", "Crie uma persona de IA primeiro (IA → Personas) para ter sugestões e resumos.";

    // UI: automations (rules: when → if → do) and business hours
    NavAutomations => "Automations", "Automações";
    NavBusinessHours => "Business hours", "Horário comercial";
    AutomationsSubtitle => "Rules that act by themselves when something happens: label, tag, assign, reply or hand the conversation to AI.",
        "Regras que agem sozinhas quando algo acontece: etiquetar, marcar, atribuir, responder ou passar a conversa para a IA.";
    AutomationsReadOnly => "Only owners and admins can change rules; you can read them and their execution log.",
        "Somente proprietários e administradores podem alterar regras; você pode lê-las e ver o histórico de execuções.";
    NewRule => "New rule", "Nova regra";
    NoRules => "No rules yet", "Nenhuma regra ainda";
    NoRulesHint => "A rule says when it runs (a keyword, a new conversation, no answer for a while…), only if what holds (tags, hours, status…) and what it does (label, assign, reply…).",
        "Uma regra diz quando executa (uma palavra-chave, uma nova conversa, sem resposta há algum tempo…), somente se o que vale (tags, horário, status…) e o que faz (etiquetar, atribuir, responder…).";
    RuleOnOff => "Rule on", "Regra ativa";
    RuleTurnedOn => "Rule turned on.", "Regra ativada.";
    RuleTurnedOff => "Rule turned off.", "Regra desativada.";
    RuleRunsOne => "1 run", "1 execução";
    RuleRunsMany => "{count} runs", "{count} execuções";
    RuleLastRun => "last {when}", "última em {when}";
    RuleNeverRan => "Never ran", "Nunca executou";
    RuleNameLabel => "Rule name", "Nome da regra";
    RuleNameHint => "For your team, e.g. “Price questions to sales”.", "Para a sua equipe, ex.: “Dúvidas de preço para vendas”.";
    RuleWhen => "When", "Quando";
    RuleIf => "Only if (all of these hold)", "Somente se (todas valerem)";
    RuleIfHint => "No conditions: every time the trigger happens.", "Sem condições: toda vez que o gatilho acontecer.";
    RuleThen => "Then, in this order", "Então, nesta ordem";
    RuleThenHint => "An action that cannot be done is logged; the others still run.", "Uma ação que não puder ser feita fica no histórico; as outras executam mesmo assim.";
    RuleEnabledLabel => "Rule on: it runs whenever its trigger happens", "Regra ativa: executa sempre que o gatilho acontecer";
    SaveRule => "Save rule", "Salvar regra";
    RuleCreated => "Rule created.", "Regra criada.";
    RuleSaved => "Rule saved.", "Regra salva.";
    RuleDeleted => "Rule deleted.", "Regra excluída.";
    DeleteRuleQuestion => "Delete the rule “{name}” and its execution log?", "Excluir a regra “{name}” e o histórico de execuções dela?";
    TriggerLabel => "Trigger", "Gatilho";
    TrigMessageReceived => "A customer sends a message", "Um cliente envia uma mensagem";
    TrigConversationCreated => "A new conversation starts", "Uma nova conversa começa";
    TrigKeyword => "A message contains a keyword", "Uma mensagem contém uma palavra-chave";
    TrigCampaignReply => "A customer answers a campaign", "Um cliente responde a uma campanha";
    TrigContactTagged => "A contact gets a tag", "Um contato recebe uma tag";
    TrigNoReply => "A customer waits without an answer", "Um cliente espera sem resposta";
    TrigOutsideHours => "A message arrives outside business hours", "Uma mensagem chega fora do horário comercial";
    TriggerKeywords => "Keywords (comma separated)", "Palavras-chave (separadas por vírgula)";
    TriggerKeywordsHint => "Any case, with or without accents: “preco” also finds “preço”.", "Maiúsculas ou minúsculas, com ou sem acento: “preco” também encontra “preço”.";
    TriggerCampaign => "Campaign", "Campanha";
    AnyCampaign => "Any campaign", "Qualquer campanha";
    TriggerTag => "Tag", "Tag";
    TriggerMinutes => "Minutes without an answer", "Minutos sem resposta";
    TriggerMinutesHint => "From 1 to 10,080 (a week). An answer from a person, the AI or a rule resets the wait.", "De 1 a 10.080 (uma semana). Uma resposta de uma pessoa, da IA ou de uma regra reinicia a espera.";
    TriggerOutsideHoursHint => "Read from the company's business hours and holidays.", "Conforme o horário comercial e os feriados da empresa.";
    ConditionLabel => "Condition", "Condição";
    RuleAddCondition => "Add condition", "Adicionar condição";
    RuleRemoveCondition => "Remove this condition", "Remover esta condição";
    CondConnection => "The number is one of", "O número é um destes";
    CondTags => "The contact's tags", "As tags do contato";
    CondAttribute => "A contact field", "Um campo do contato";
    CondTimeWindow => "The time is within", "O horário está dentro de";
    CondBusinessHours => "Business hours", "Horário comercial";
    CondStatus => "The conversation's status is", "O status da conversa é";
    CondAssignment => "The conversation is with", "A conversa está com";
    CondTextContains => "The message contains", "A mensagem contém";
    CondTextMatches => "The message matches a pattern (regex)", "A mensagem corresponde a um padrão (regex)";
    CondNoConnections => "No numbers connected yet.", "Nenhum número conectado ainda.";
    CondTagsList => "Tags (comma separated)", "Tags (separadas por vírgula)";
    CondAttributeFieldHint => "name, email, phone or a custom field's key.", "name, email, phone ou a chave de um campo personalizado.";
    CondHours => "Hours", "Horários";
    CondHoursHint => "In the company's time zone.", "No fuso horário da empresa.";
    CondInsideHours => "Inside business hours", "Dentro do horário comercial";
    CondOutsideHours => "Outside business hours (or on a holiday)", "Fora do horário comercial (ou em feriado)";
    CondNobody => "Nobody", "Ninguém";
    CondTeammate => "A teammate", "Alguém da equipe";
    CondAiPersona => "An AI persona", "Uma persona de IA";
    CondTexts => "Texts (comma separated)", "Textos (separados por vírgula)";
    CondPattern => "Pattern", "Padrão";
    CondPatternHint => "Rust regex syntax, e.g. (?i)order\\s*\\d+", "Sintaxe de regex do Rust, ex.: (?i)pedido\\s*\\d+";
    ActionLabel => "Action", "Ação";
    RuleAddAction => "Add action", "Adicionar ação";
    RuleRemoveAction => "Remove this action", "Remover esta ação";
    MoveUp => "Move up", "Mover para cima";
    MoveDown => "Move down", "Mover para baixo";
    ActAssignAgent => "Assign to a teammate", "Atribuir a alguém da equipe";
    ActAssignTeam => "Send to the team's queue", "Enviar para a fila da equipe";
    ActSendToAi => "Let an AI persona answer", "Deixar uma persona de IA responder";
    ActAddLabel => "Add a label", "Adicionar uma etiqueta";
    ActRemoveLabel => "Remove a label", "Remover uma etiqueta";
    ActAddTag => "Tag the contact", "Adicionar uma tag ao contato";
    ActRemoveTag => "Remove a tag from the contact", "Remover uma tag do contato";
    ActReplyText => "Reply with a text", "Responder com um texto";
    ActReplyTemplate => "Reply with a template", "Responder com um modelo";
    ActOptOut => "Opt the contact out of campaigns", "Descadastrar o contato das campanhas";
    ActWebhook => "Call a webhook", "Chamar um webhook";
    ActClose => "Resolve the conversation", "Resolver a conversa";
    ActAssignTeamHint => "Nobody and no AI: with automatic assignment on, the next teammate online gets it.", "Ninguém e nenhuma IA: com a atribuição automática ligada, a próxima pessoa on-line recebe a conversa.";
    ActOptOutHint => "Campaigns skip the contact from now on.", "As campanhas deixam de incluir o contato.";
    ActCloseHint => "The conversation is marked resolved.", "A conversa é marcada como resolvida.";
    ActTeammate => "Teammate", "Pessoa da equipe";
    ActChooseTeammate => "Choose a teammate", "Escolha alguém da equipe";
    ActPersona => "Persona", "Persona";
    ActNumbersPersona => "The number's persona", "A persona do número";
    ActLabel => "Label", "Etiqueta";
    ActReplyMessage => "Message", "Mensagem";
    ActReplyTextHint => "Sent only within WhatsApp's 24-hour window. {{contact.first_name|amigo}} writes the first name, or “amigo” when there is none; {{contact.name}} and {{contact.<field>}} work too.",
        "Enviada só dentro da janela de 24 horas do WhatsApp. {{contact.first_name|amigo}} escreve o primeiro nome, ou “amigo” quando não houver; {{contact.name}} e {{contact.<campo>}} também funcionam.";
    ActTemplateHint => "Templates can be sent any time. Values may use {{contact.first_name|amigo}}.", "Modelos podem ser enviados a qualquer momento. Os valores podem usar {{contact.first_name|amigo}}.";
    ActTemplateValues => "Values of the variables", "Valores das variáveis";
    ActAddValue => "Add a value", "Adicionar valor";
    ActRemoveValue => "Remove this value", "Remover este valor";
    ActWebhookUrl => "URL", "URL";
    ActWebhookHint => "We POST the event as JSON, signed in the X-Master-IA-Signature header.", "Enviamos o evento por POST em JSON, assinado no cabeçalho X-Master-IA-Signature.";
    RunsTitle => "Execution log", "Histórico de execuções";
    RunsHint => "The latest runs of this rule, newest first.", "As últimas execuções desta regra, das mais novas às mais antigas.";
    NoRuns => "This rule has not run yet.", "Esta regra ainda não executou.";
    RunWhen => "When", "Quando";
    RunContact => "Contact", "Contato";
    RunTrigger => "Trigger", "Gatilho";
    RunOutcomeLabel => "Outcome", "Resultado";
    RunStepsLabel => "Steps", "Passos";
    RunDone => "Done", "Concluída";
    RunFailed => "Failed", "Falhou";
    RunSkipped => "Skipped", "Ignorada";
    RunStepOk => "ok", "ok";
    RunStepFailed => "failed", "falhou";
    RunSkippedHint => "Not run: loop protection (another rule's action set it off in a chain).", "Não executada: proteção contra repetição (a ação de outra regra a disparou em cadeia).";
    AutomationMessage => "Automation · {name}", "Automação · {name}";
    SumMessageReceived => "Any customer message", "Qualquer mensagem de cliente";
    SumConversationCreated => "New conversation", "Nova conversa";
    SumKeyword => "Message contains {words}", "Mensagem contém {words}";
    SumCampaignAny => "Reply to any campaign", "Resposta a qualquer campanha";
    SumCampaignOne => "Reply to a chosen campaign", "Resposta a uma campanha escolhida";
    SumTagged => "Tagged {tag}", "Recebeu a tag {tag}";
    SumNoReply => "No answer for {minutes} min", "Sem resposta há {minutes} min";
    SumOutsideHours => "Message outside business hours", "Mensagem fora do horário comercial";
    SumAssignAgent => "assign to a teammate", "atribuir a alguém";
    SumAssignTeam => "to the team's queue", "para a fila da equipe";
    SumSendToAi => "to AI", "para a IA";
    SumAddLabel => "label {label}", "etiqueta {label}";
    SumRemoveLabel => "remove label {label}", "remover etiqueta {label}";
    SumAddTag => "tag {tag}", "tag {tag}";
    SumRemoveTag => "remove tag {tag}", "remover tag {tag}";
    SumReplyText => "reply", "responder";
    SumReplyTemplate => "template {name}", "modelo {name}";
    SumOptOut => "opt out", "descadastrar";
    SumWebhook => "webhook", "webhook";
    SumClose => "resolve", "resolver";
    SumConditionsOne => "1 condition", "1 condição";
    SumConditionsMany => "{count} conditions", "{count} condições";
    BusinessHoursSubtitle => "When your company answers customers. Automation rules use them: the “outside business hours” trigger and condition.",
        "Quando a sua empresa atende os clientes. As regras de automação usam este horário: o gatilho e a condição “fora do horário comercial”.";
    BusinessHoursReadOnly => "Only owners and admins can change business hours.", "Somente proprietários e administradores podem alterar o horário comercial.";
    BusinessHoursWeekly => "Weekly hours", "Horário semanal";
    BusinessHoursWeeklyHint => "No hours at all: the company is never “outside business hours”.", "Sem nenhum horário: a empresa nunca está “fora do horário comercial”.";
    BusinessHoursTimeZone => "Read in the time zone {zone}.", "Lido no fuso horário {zone}.";
    BusinessHoursChangeZone => "Change it in the company settings", "Altere nas configurações da empresa";
    BusinessHoursSaved => "Business hours saved.", "Horário comercial salvo.";
    Holidays => "Holidays", "Feriados";
    HolidaysHint => "Closed all day. “Every year”: the same day and month each year, like Christmas.", "Fechado o dia todo. “Todo ano”: o mesmo dia e mês todos os anos, como o Natal.";
    NoHolidays => "No holidays.", "Nenhum feriado.";
    HolidayDate => "Date", "Data";
    HolidayName => "Name", "Nome";
    HolidayEveryYear => "Every year", "Todo ano";
    AddHoliday => "Add holiday", "Adicionar feriado";
    RemoveHoliday => "Remove this holiday", "Remover este feriado";
    HolidayDateInvalid => "Choose a date.", "Escolha uma data.";
}

impl Key {
    pub fn for_error(code: ErrorCode) -> Key {
        match code {
            ErrorCode::BadRequest => Key::ErrBadRequest,
            ErrorCode::InvalidJson => Key::ErrInvalidJson,
            ErrorCode::ValidationFailed => Key::ErrValidationFailed,
            ErrorCode::WeakPassword => Key::ErrWeakPassword,
            ErrorCode::Unauthenticated => Key::ErrUnauthenticated,
            ErrorCode::InvalidCredentials => Key::ErrInvalidCredentials,
            ErrorCode::EmailNotVerified => Key::ErrEmailNotVerified,
            ErrorCode::Forbidden => Key::ErrForbidden,
            ErrorCode::CsrfFailed => Key::ErrCsrfFailed,
            ErrorCode::NotFound => Key::ErrNotFound,
            ErrorCode::MethodNotAllowed => Key::ErrMethodNotAllowed,
            ErrorCode::EmailTaken => Key::ErrEmailTaken,
            ErrorCode::Conflict => Key::ErrConflict,
            ErrorCode::ContactExists => Key::ErrContactExists,
            ErrorCode::InvalidCsv => Key::ErrInvalidCsv,
            ErrorCode::InvalidToken => Key::ErrInvalidToken,
            ErrorCode::InvalidSignature => Key::ErrInvalidSignature,
            ErrorCode::WindowClosed => Key::ErrWindowClosed,
            ErrorCode::ConversationTaken => Key::ErrConversationTaken,
            ErrorCode::InvalidState => Key::ErrInvalidState,
            ErrorCode::ProviderError => Key::ErrProviderError,
            ErrorCode::RateLimited => Key::ErrRateLimited,
            ErrorCode::PayloadTooLarge => Key::ErrPayloadTooLarge,
            ErrorCode::UnsupportedMediaType => Key::ErrUnsupportedMediaType,
            ErrorCode::ServiceUnavailable => Key::ErrServiceUnavailable,
            ErrorCode::Internal => Key::ErrInternal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_prefers_the_first_supported_language() {
        assert_eq!(Lang::negotiate("pt-BR,pt;q=0.9,en;q=0.8"), Lang::PtBr);
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,pt;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("de-DE,pt;q=0.5"), Lang::PtBr);
        assert_eq!(Lang::negotiate("fr"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    #[test]
    fn every_key_has_two_non_empty_translations() {
        for key in Key::ALL {
            assert!(!key.en().is_empty(), "{key:?} en");
            assert!(!key.pt_br().is_empty(), "{key:?} pt-BR");
        }
    }

    #[test]
    fn errors_translate() {
        assert_eq!(Lang::PtBr.error(ErrorCode::NotFound), "Não encontrado.");
        assert_eq!(Lang::En.error(ErrorCode::RateLimited), Key::ErrRateLimited.en());
    }
}
