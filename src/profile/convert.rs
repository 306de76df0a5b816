//! Profile -> wizard answers.

use crate::answers::{
    AgentAnswers, Answers, ApplicationAnswers, DepartmentAnswer, RoleAnswers, RoleMode, TeamAnswer,
};

use super::types::{ALL_DEPARTMENTS, ALL_TEAMS, DefaultTeam, Pick, Profile};

/// Something the profile leaves to the user because it depends on the Halo instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// A default team is required; which one is instance-specific.
    DefaultTeam,
    /// The agent must join teams the guide does not name.
    Teams,
    /// The agent must join departments the guide does not name.
    Departments,
    /// Which areas the integration reads and edits (least-privilege profile).
    Areas,
}

impl Question {
    /// Whether `a` answers it (the wizard's Agent and Role steps ask the same).
    pub fn answered(self, a: &Answers) -> bool {
        let g = &a.agent;
        match self {
            Self::DefaultTeam => g
                .default_team
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
            Self::Teams => !g.teams.is_empty(),
            Self::Departments => !g.departments.is_empty(),
            Self::Areas => a.role.mode != RoleMode::Create || !a.role.permissions.is_empty(),
        }
    }

    /// The question in words, as the wizard asks it.
    pub fn words(self) -> &'static str {
        match self {
            Self::DefaultTeam => "which team is the agent's default team",
            Self::Teams => "which teams the agent joins",
            Self::Departments => "which departments the agent joins",
            Self::Areas => "which areas the integration reads or edits",
        }
    }

    /// The answers-file key that answers it.
    pub fn key(self) -> &'static str {
        match self {
            Self::DefaultTeam => "agent.default_team",
            Self::Teams => "agent.teams",
            Self::Departments => "agent.departments",
            Self::Areas => "role.access",
        }
    }

    /// Two lines of an answers file that answer it (names are examples).
    pub fn example(self) -> &'static str {
        match self {
            Self::DefaultTeam => "[agent]\ndefault_team = \"Service Desk\"",
            Self::Teams => "[[agent.teams]]\nname = \"Service Desk\"",
            Self::Departments => "[[agent.departments]]\nname = \"Support\"",
            Self::Areas => "[role.access]\ntickets = \"Read Only\"",
        }
    }
}

impl Profile {
    /// Pre-fills every wizard step. Instance-specific choices the guide leaves open stay empty
    /// (see [`Profile::questions`]); a required default team is `Some("")`, so the wizard's
    /// own validation stops on it until the user picks one.
    pub fn to_answers(&self) -> Answers {
        let role = &self.role;
        let role = RoleAnswers {
            mode: match &role.reuse {
                // Answers refer to roles by name; the plan resolves the name to Halo's id.
                Some(name) => RoleMode::Reuse(name.clone()),
                None => RoleMode::Create,
            },
            name: role.reuse.clone().unwrap_or_else(|| role.name.clone()),
            notes: role.notes.clone(),
            permissions: role.permissions.clone(),
            other_permissions: role.other_permissions.clone(),
        };

        let a = &self.agent;
        let default_team = match &a.default_team {
            DefaultTeam::None => None,
            DefaultTeam::Ask => Some(String::new()),
            DefaultTeam::Named(n) => Some(n.clone()),
        };
        let team = |name: &str| TeamAnswer {
            name: name.to_string(),
            unassigned_access: a.teams.unassigned_access,
            otheragent_access: a.teams.otheragent_access,
        };
        let teams = match a.teams.pick {
            Pick::None | Pick::Ask => Vec::new(),
            Pick::All => vec![team(ALL_TEAMS)],
            Pick::Default => vec![team(default_team.as_deref().unwrap_or_default())],
            Pick::Named => a.teams.names.iter().map(|n| team(n)).collect(),
        };
        let dept = |name: &str| DepartmentAnswer {
            name: name.to_string(),
            level: a.departments.level,
        };
        let departments = match a.departments.pick {
            Pick::None | Pick::Ask | Pick::Default => Vec::new(),
            Pick::All => vec![dept(ALL_DEPARTMENTS)],
            Pick::Named => a.departments.names.iter().map(|n| dept(n)).collect(),
        };
        // Halo wants a first name; most guides name the agent but leave that open, so the
        // vendor's name stands in. Said here, once, so the wizard and headless build the same
        // agent (and a re-apply from one never "updates" what the other made). A profile that
        // names no agent (Custom, least privilege) leaves the names to the user.
        let firstname = if a.firstname.trim().is_empty() && !a.name.trim().is_empty() {
            self.vendor.clone()
        } else {
            a.firstname.clone()
        };
        let agent = AgentAnswers {
            details: crate::answers::AgentDetails {
                firstname,
                ..a.details.clone()
            },
            extra_roles: a.extra_roles.clone(),
            default_team,
            teams,
            departments,
        };

        let application = ApplicationAnswers {
            name: self.application.name.clone(),
            description: self.application.description.clone(),
            active: self.application.active,
            // The rest (the agent to log in as: the new agent) as the answers start.
            ..ApplicationAnswers::default()
        };

        Answers {
            profile: Some(self.id.clone()),
            connection: Default::default(),
            role,
            agent,
            application,
            scopes: self.scopes.clone(),
        }
    }

    /// What the wizard must ask because the profile cannot know it.
    pub fn questions(&self) -> Vec<Question> {
        let mut q = Vec::new();
        if self.agent.default_team == DefaultTeam::Ask {
            q.push(Question::DefaultTeam);
        }
        if self.agent.teams.pick == Pick::Ask {
            q.push(Question::Teams);
        }
        if self.agent.departments.pick == Pick::Ask {
            q.push(Question::Departments);
        }
        if self.ask_areas {
            q.push(Question::Areas);
        }
        q
    }
}
